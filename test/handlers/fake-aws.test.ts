import { DescribeScalingActivitiesCommand, AutoScalingClient, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateRuleCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { FakeAws, RESPONSE_CODE_MISMATCH } from './fake-aws';

const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
const autoScaling = new AutoScalingClient({ region: 'us-east-1' });
const cloudWatch = new CloudWatchClient({ region: 'us-east-1' });
const ssm = new SSMClient({ region: 'us-east-1' });

let fake: FakeAws;

beforeEach(() => {
  fake = new FakeAws().install();
});

afterEach(() => {
  fake.restore();
});

async function states(targetGroupArn: string): Promise<string[]> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (out.TargetHealthDescriptions ?? []).map((t) => `${t.TargetHealth?.State}${t.TargetHealth?.Reason ? `/${t.TargetHealth.Reason}` : ''}`);
}

function forward(...weights: [string, number][]) {
  return [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: weights.map(([arn, w]) => ({ TargetGroupArn: arn, Weight: w })) } }];
}

describe('load balancer', () => {
  test('targets register at InService, stay "unused" until a rule references their group, then pass health checks', async () => {
    const listener = fake.elbv2.createListener();
    const g = fake.createGeneration({ key: 'a', minSize: 2, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } });
    expect(await states(g.targetGroupArn)).toEqual([]);
    fake.advance(40);
    expect(await states(g.targetGroupArn)).toEqual(['unused/Target.NotInUse', 'unused/Target.NotInUse']);

    // Weight 0 is enough for the load balancer to start checking.
    const other = fake.elbv2.createTargetGroup({ name: 'other' });
    await elbv2.send(new CreateRuleCommand({
      ListenerArn: listener,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', Values: ['/*'] }],
      Actions: forward([other, 1], [g.targetGroupArn, 0]),
    }));
    expect(await states(g.targetGroupArn)).toEqual(['initial/Elb.RegistrationInProgress', 'initial/Elb.RegistrationInProgress']);
    fake.advance(20);
    expect(await states(g.targetGroupArn)).toEqual(['initial/Elb.InitialHealthChecking', 'initial/Elb.InitialHealthChecking']);
    fake.advance(10);
    expect(await states(g.targetGroupArn)).toEqual(['healthy', 'healthy']);

    // Failing checks: unhealthy after UnhealthyThreshold (2) failures, with the reason code.
    fake.autoScaling.failInstances(g.autoScalingGroupName, { count: 1, failure: RESPONSE_CODE_MISMATCH });
    fake.advance(20);
    expect(await states(g.targetGroupArn)).toEqual(['unhealthy/Target.ResponseCodeMismatch', 'healthy']);
  });

  test('DescribeRules echoes a single-group forward in both forms, and pages', async () => {
    const listener = fake.elbv2.createListener();
    const g = fake.createGeneration({ key: 'a' });
    for (let priority = 1; priority <= 3; priority++) {
      await elbv2.send(new CreateRuleCommand({
        ListenerArn: listener,
        Priority: priority,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`h${priority}.example.com`] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: g.targetGroupArn }],
      }));
    }
    const first = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listener, PageSize: 2 }));
    expect(first.Rules?.map((r) => r.Priority)).toEqual(['1', '2']);
    expect(first.Rules?.[0].Actions?.[0]).toEqual({
      Type: 'forward',
      Order: 1,
      TargetGroupArn: g.targetGroupArn,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: g.targetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
    });
    expect(first.Rules?.[0].Conditions?.[0]).toEqual({ Field: 'host-header', Values: ['h1.example.com'], HostHeaderConfig: { Values: ['h1.example.com'] } });
    const second = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listener, PageSize: 2, Marker: first.NextMarker }));
    expect(second.Rules?.map((r) => r.Priority)).toEqual(['3', 'default']);
    expect(second.NextMarker).toBeUndefined();
  });

  test('rejects what ELBv2 rejects: priority clashes, bad weights, missing groups, and deleting a group in use', async () => {
    const listener = fake.elbv2.createListener();
    const g = fake.createGeneration({ key: 'a' });
    const created = await elbv2.send(new CreateRuleCommand({
      ListenerArn: listener, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward([g.targetGroupArn, 1]),
    }));
    await expect(elbv2.send(new CreateRuleCommand({
      ListenerArn: listener, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: forward([g.targetGroupArn, 1]),
    }))).rejects.toMatchObject({ name: 'PriorityInUseException' });
    const ruleArn = created.Rules![0].RuleArn!;
    await expect(elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([g.targetGroupArn, 1000]) })))
      .rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([`${g.targetGroupArn}x`, 1]) })))
      .rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    await expect(elbv2.send(new DescribeRulesCommand({ RuleArns: [`${ruleArn}0`] }))).rejects.toMatchObject({ name: 'RuleNotFoundException' });
    expect(() => fake.deleteGeneration(g)).toThrow(/currently in use/);
  });

  test('commands the fake does not implement fail loudly', async () => {
    await expect(elbv2.send(new DescribeLoadBalancersCommand({}))).rejects.toThrow(/has no fake for this command/);
  });
});

describe('auto scaling', () => {
  test('failed launches are activities with the service\'s status message, retried on a back-off', async () => {
    const g = fake.createGeneration({ key: 'a', minSize: 1, launchFailure: 'Your requested instance type (t9.nano) is not supported.' });
    fake.advance(45);
    const out = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.autoScalingGroupName }));
    expect(out.Activities?.map((a) => a.StatusCode)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(out.Activities?.[0].StatusMessage).toBe('Your requested instance type (t9.nano) is not supported.');
    expect(out.Activities?.[0].Description).toMatch(/^Launching a new EC2 instance\. {2}Status Reason: Your requested/);

    fake.autoScaling.setLaunchFailure(g.autoScalingGroupName, undefined);
    fake.advance(20);
    const recovered = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.autoScalingGroupName, MaxRecords: 1 }));
    expect(recovered.Activities?.[0]).toMatchObject({ StatusCode: 'InProgress', Description: expect.stringMatching(/^Launching a new EC2 instance: i-/) });
    expect(recovered.NextToken).toBeDefined();
  });

  test('SetDesiredCapacity respects the group\'s bounds', async () => {
    const g = fake.createGeneration({ key: 'a', minSize: 1, maxSize: 3 });
    await expect(autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: g.autoScalingGroupName, DesiredCapacity: 4 })))
      .rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('above max value 3') });
    await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: g.autoScalingGroupName, DesiredCapacity: 3 }));
    expect(fake.autoScaling.groups.get(g.autoScalingGroupName)?.instances).toHaveLength(3);
  });
});

describe('alarms, parameters and faults', () => {
  test('DescribeAlarms returns composite alarms only when asked for them', async () => {
    fake.cloudWatch.putAlarm('m');
    fake.cloudWatch.putAlarm('c', { type: 'CompositeAlarm', state: 'ALARM' });
    const plain = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['m', 'c'] }));
    expect([...(plain.MetricAlarms ?? []), ...(plain.CompositeAlarms ?? [])].map((a) => a.AlarmName)).toEqual(['m']);
    const both = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['m', 'c'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect(both.CompositeAlarms?.map((a) => a.StateValue)).toEqual(['ALARM']);
  });

  test('SSM enforces Overwrite and the 4 KB standard tier', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v1', Type: 'String' }));
    await expect(ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v2', Type: 'String' }))).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/p', Value: 'x'.repeat(4097), Type: 'String', Overwrite: true })))
      .rejects.toMatchObject({ name: 'ValidationException' });
    const put = await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v2', Type: 'String', Overwrite: true }));
    expect(put.Version).toBe(2);
    await expect(ssm.send(new GetParameterCommand({ Name: '/q' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  test('faults: by count, by seeded probability (reproducibly), and lost responses that still apply', async () => {
    fake.faults.add({ kind: 'throttle', operation: 'ssm:GetParameter', times: 2 });
    await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v', Type: 'String' }));
    await expect(ssm.send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    await expect(ssm.send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/p' }))).resolves.toMatchObject({ Parameter: { Value: 'v' } });

    fake.faults.add({ kind: 'lost-response', operation: 'PutParameter', times: 1 });
    await expect(ssm.send(new PutParameterCommand({ Name: '/p', Value: 'w', Type: 'String', Overwrite: true }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(fake.ssm.parameters.get('/p')?.value).toBe('w');

    const pattern = async (seed: number) => {
      const other = new FakeAws({ seed });
      other.faults.add({ kind: 'server-error', probability: 0.5 });
      return Array.from({ length: 20 }, () => other.faults.decide('ssm:GetParameter', 0) ?? '-').join(',');
    };
    expect(await pattern(7)).toBe(await pattern(7));
    expect(await pattern(7)).not.toBe(await pattern(8));
  });

  test('a crash ends the invocation at the call: nothing after it runs', async () => {
    fake.faults.add({ kind: 'crash-after', operation: 'PutParameter', times: 1 });
    let after = false;
    const outcome = await fake.runInvocation(async () => {
      await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'v', Type: 'String' }));
      after = true;
      return 'done';
    });
    expect(outcome).toEqual({ kind: 'crashed', operation: 'ssm:PutParameter' });
    expect(after).toBe(false);
    expect(fake.ssm.parameters.get('/p')?.value).toBe('v');
    await expect(fake.runInvocation(async () => 'next')).resolves.toEqual({ kind: 'returned', value: 'next' });
  });
});
