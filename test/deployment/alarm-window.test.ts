import { Annotations as CoreAnnotations, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { baseProps, newStack, releaseProperties } from './deployment-fixtures';
import { ImmutableDeployment, ImmutableDeploymentProps, TrafficShift } from '../../src';
import { UNGUARDED_STEP_WARNING, alarmWindowSeconds } from '../../src/deployment/alarm-window';

function deployWith(overrides: Partial<ImmutableDeploymentProps>, extra?: (d: ImmutableDeployment) => void) {
  const { stack, vpc } = newStack();
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, overrides));
  extra?.(deployment);
  return { stack, deployment, warnings: Annotations.fromStack(stack).findWarning('/Stack/Web', Match.stringLikeRegexp('needs \\d+ s of data')) };
}

function userAlarm(scope: ImmutableDeployment, id: string, periodMinutes: number, evaluationPeriods: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric: scope.metricTargetResponseTime({ period: Duration.minutes(periodMinutes) }),
    threshold: 1,
    evaluationPeriods,
  });
}

describe('a traffic step shorter than an alarm\'s evaluation window', () => {
  test('the window is period x evaluation periods; an imported alarm has none known', () => {
    const { deployment } = deployWith({});
    expect(alarmWindowSeconds(deployment.generationAlarms[0])).toBe(120);
    const imported = cloudwatch.Alarm.fromAlarmArn(deployment, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x');
    expect(alarmWindowSeconds(imported)).toBeUndefined();
  });

  test('a one-minute canary against the generation alarms (2 x 60 s) warns with the numbers', () => {
    const { warnings } = deployWith({ trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(1) }) });
    expect(warnings).toHaveLength(2);
    expect(warnings[0].entry.data).toMatch(/generationAlarms \(first alarm\): alarm .* needs 120 s of data .* moves on every 60 s: .*interval of at least 120 s/);
    expect(warnings[0].entry.data).toContain(`[ack: ${UNGUARDED_STEP_WARNING}]`);
  });

  test('the default canary and linear intervals and an all-at-once shift do not warn', () => {
    expect(deployWith({ trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }) }).warnings).toEqual([]);
    expect(deployWith({ trafficShift: TrafficShift.linear({ percent: 25, interval: Duration.minutes(2) }) }).warnings).toEqual([]);
    expect(deployWith({ trafficShift: TrafficShift.allAtOnce() }).warnings).toEqual([]);
  });

  test('a user alarm of 3 x 5 minutes under a 5-minute linear shift warns, naming the prop', () => {
    const { stack, vpc } = newStack();
    const holder = new ImmutableDeployment(stack, 'Other', baseProps(vpc));
    const slow = userAlarm(holder, 'Slow', 5, 3);
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      priority: 100,
      listener: holder.listener,
      trafficShift: TrafficShift.linear({ percent: 20, interval: Duration.minutes(5) }),
      rollbackAlarms: [slow],
    }));
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Web', Match.stringLikeRegexp('needs \\d+ s of data'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^rollbackAlarms\[0\]: alarm .* needs 900 s of data .* every 300 s/)]);
    expect(deployment.generationAlarms).toHaveLength(2);
  });

  test('the warning can be acknowledged', () => {
    const { stack } = deployWith({ trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(1) }) }, d => {
      CoreAnnotations.of(d).acknowledgeWarning(UNGUARDED_STEP_WARNING, 'one-minute canaries on purpose');
    });
    expect(Annotations.fromStack(stack).findWarning('/Stack/Web', Match.stringLikeRegexp('needs \\d+ s of data'))).toEqual([]);
  });
});

describe('addRollbackAlarm: alarms on the deployment\'s own metrics', () => {
  test('an alarm added after construction joins the release\'s alarms, after the props\' ones and before the generation\'s', () => {
    const { stack, vpc } = newStack();
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc));
    const latency = new cloudwatch.Alarm(deployment, 'Latency', {
      alarmName: 'web-latency',
      metric: deployment.metricTargetResponseTime({ period: Duration.minutes(1) }),
      threshold: 0.5,
      evaluationPeriods: 2,
    });
    deployment.addRollbackAlarm(latency);
    const names = releaseProperties(Template.fromStack(stack)).AlarmNames;
    expect(names).toHaveLength(3);
    expect(names[0]).toEqual({ Ref: stack.getLogicalId(latency.node.defaultChild as cloudwatch.CfnAlarm) });
    expect(names.slice(1)).toEqual(deployment.generationAlarms.map(a => ({ Ref: stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm) })));
  });

  test('an added alarm is checked against the traffic steps too', () => {
    const { warnings } = deployWith({ trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(3) }) },
      d => d.addRollbackAlarm(userAlarm(d, 'Slow', 1, 5)));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^addRollbackAlarm\(Slow\): alarm .* needs 300 s of data .* every 180 s/)]);
  });
});
