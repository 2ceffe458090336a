import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { baseProps, deploy, newStack, only, releaseProperties } from './deployment-fixtures';
import { scheduleLines } from '../../src/cli/plan/plan-report';
import { releaseSchedule } from '../../src/cli/plan/release-schedule';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { ImmutableDeploymentProps } from '../../src/deployment/immutable-deployment-props';

const TESTERS = ec2.Peer.ipv4('10.20.0.0/16');

function hook(stack: Stack, timeout?: Duration): lambda.Function {
  return new lambda.Function(stack, 'Verify', {
    timeout,
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ verdict: "PASS" });'),
  });
}

/** A deployment 'Web' with a verify hook in the same stack; `overrides(fn)` adds the props under test. */
function deployWithHook(overrides: (fn: lambda.IFunction) => Partial<ImmutableDeploymentProps>, hookTimeout?: Duration) {
  const { stack, vpc } = newStack();
  const fn = hook(stack, hookTimeout);
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, overrides(fn)));
  return { stack, fn, deployment, template: Template.fromStack(stack) };
}

function listenerIds(template: Template, port: number): string[] {
  return Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::Listener'))
    .filter(([, r]) => (r as any).Properties.Port === port).map(([id]) => id);
}

function ingressOn(template: Template, port: number): any[] {
  const inline = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))
    .flatMap((g) => g.Properties.SecurityGroupIngress ?? []);
  const separate = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
  return [...inline, ...separate].filter((rule) => rule.FromPort === port);
}

function workerStatements(template: Template): any[] {
  return Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('IsCompleteRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('test listener on the deployment\'s own load balancer', () => {
  test('a listener on the port, 503 by default, open only to allowFrom, whose ARN and URL reach the release; the controller may create rules there only tagged as its own', () => {
    const { template, deployment } = deploy({ testListener: { port: 8443, allowFrom: [TESTERS] } });

    const [testListener] = listenerIds(template, 8443);
    expect(testListener).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '503' }) })],
    });
    expect(ingressOn(template, 8443)).toEqual([expect.objectContaining({ CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', ToPort: 8443 })]);

    const props = releaseProperties(template);
    expect(props.TestListenerArn).toEqual({ Ref: testListener });
    expect(JSON.stringify(props.TestEndpoint)).toContain(':8443');
    expect(props.VerifyFunctionArn).toBeUndefined();
    expect(deployment.testUrl).toBeDefined();
    expect(only(template, 'Custom::ImmutableRelease').resource.DependsOn).toEqual(expect.arrayContaining([testListener]));

    const createRule = workerStatements(template).filter((s) => s.Action === 'elasticloadbalancing:CreateRule');
    expect(createRule.map((s) => s.Resource)).toEqual(expect.arrayContaining([{ Ref: testListener }]));
    expect(createRule.every((s) => s.Condition.StringEquals['aws:RequestTag/cdk-immutable-infra:release-controller'])).toBe(true);
    const modify = workerStatements(template).filter((s) => JSON.stringify(s.Action).includes('ModifyRule'));
    expect(JSON.stringify(modify.map((s) => s.Resource))).toContain(testListener);
    expect(modify.every((s) => s.Condition.StringEquals['aws:ResourceTag/cdk-immutable-infra:release-controller'])).toBe(true);
  });

  test('HTTPS production listener: the test listener is HTTPS with the same certificates', () => {
    const certificates = [elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/abc')];
    const { template } = deploy({ certificates, testListener: { port: 8443, allowFrom: [TESTERS] } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
    });
  });
});

describe('test listener on your own load balancer', () => {
  test('the rule goes on your test listener at the deployment\'s priority; allowFrom is let in on its port', () => {
    const { stack, vpc } = newStack();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const production = alb.addListener('Http', { port: 80, open: true, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const testing = alb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener: production, priority: 10, testListener: { port: 9000, allowFrom: [TESTERS], listener: testing } }));
    const template = Template.fromStack(stack);

    expect(listenerIds(template, 9000)).toHaveLength(1);
    expect(releaseProperties(template).TestListenerArn).toEqual({ Ref: listenerIds(template, 9000)[0] });
    expect(ingressOn(template, 9000)).toEqual([expect.objectContaining({ CidrIp: '10.20.0.0/16' })]);
  });

  test('another deployment\'s priority on the same test listener is refused', () => {
    const { stack, vpc } = newStack();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const testing = alb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const productionA = alb.addListener('A', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const productionB = alb.addListener('B', { port: 81, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener: productionA, priority: 10, testListener: { port: 9000, allowFrom: [TESTERS], listener: testing } }));
    expect(() => new ImmutableDeployment(stack, 'Api', baseProps(vpc, { listener: productionB, priority: 10, testListener: { port: 9000, allowFrom: [TESTERS], listener: testing } })))
      .toThrow(/Stack\/Api: invalid priority 10: the ImmutableDeployment Stack\/Web already uses priority 10 on the same listener.*another priority, for example 11/);
  });
});

describe('verify hook', () => {
  test('the release gets the function ARN and timeout; the controller may invoke that function only, unqualified', () => {
    const { template, fn, stack } = deployWithHook((f) => ({ verify: f, verifyTimeout: Duration.minutes(2) }));

    const props = releaseProperties(template);
    expect(props.VerifyFunctionArn).toEqual(stack.resolve(fn.functionArn));
    expect(props.VerifyTimeoutSeconds).toBe('120');
    const invoke = workerStatements(template).filter((s) => JSON.stringify(s.Action).includes('lambda:'));
    expect(invoke).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: stack.resolve(fn.functionArn) }]);
  });

  test('a function that may run longer than the controller waits for an answer is warned about; a quick one is not', () => {
    const slow = deployWithHook((f) => ({ verify: f }), Duration.minutes(2));
    expect(Annotations.fromStack(slow.stack).findWarning('/Stack/Web', Match.stringLikeRegexp('verify: Stack/Verify may run 120 s, and the release controller waits 30 s'))).toHaveLength(1);
    const quick = deployWithHook((f) => ({ verify: f }));
    expect(Annotations.fromStack(quick.stack).findWarning('/Stack/Web', Match.stringLikeRegexp('verify:'))).toHaveLength(0);
  });

  test('verifyTimeout defaults to 5 minutes', () => {
    const { template } = deployWithHook((f) => ({ verify: f }));
    expect(releaseProperties(template).VerifyTimeoutSeconds).toBe('300');
  });

  test('without verification the release carries none of its properties and the controller no Lambda permission', () => {
    const { template } = deploy();
    const props = releaseProperties(template);
    expect(Object.keys(props).filter((k) => /Test|Verify/.test(k))).toEqual([]);
    expect(JSON.stringify(workerStatements(template))).not.toContain('lambda:InvokeFunction');
  });

  test('the synth-time timing check counts verifyTimeout, and says so', () => {
    expect(() => deployWithHook((f) => ({ verify: f, verifyTimeout: Duration.minutes(20), healthTimeout: Duration.minutes(30) })))
      .toThrow(/Stack\/Web: invalid release timing \(3660 s\).*healthTimeout 1800 s \+ verifyTimeout 1200 s \+ trafficShift .*Lower healthTimeout by at least 60 s/);
    // The same schedule without the hook fits.
    expect(() => deploy({ healthTimeout: Duration.minutes(30) })).not.toThrow();
  });
});

describe('bad inputs are refused with path, prop and fix', () => {
  const expectRefused = (props: (fn: lambda.IFunction) => Partial<ImmutableDeploymentProps>, message: RegExp) =>
    expect(() => deployWithHook(props)).toThrow(message);

  test('a test port the production listener uses', () => expectRefused(() => ({ testListener: { port: 80, allowFrom: [TESTERS] } }),
    /^Stack\/Web: invalid testListener\.port 80: the load balancer's production listeners use ports 80\. Give testListener\.port another port/));
  test('the HTTPS redirect\'s port 80', () => expectRefused(() => ({
    certificates: [elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/abc')],
    testListener: { port: 80, allowFrom: [TESTERS] },
  }), /invalid testListener\.port 80: the load balancer's production listeners use ports 443, 80/));
  test('no peers', () => expectRefused(() => ({ testListener: { port: 8443, allowFrom: [] } }),
    /^Stack\/Web: invalid testListener\.allowFrom '\[\]': .*Give testListener\.allowFrom the peers that test/));
  test('an invalid port', () => expectRefused(() => ({ testListener: { port: 70000, allowFrom: [TESTERS] } }), /invalid testListener\.port 70000: a port is a whole number/));
  test('verifyTimeout without verify', () => expectRefused(() => ({ verifyTimeout: Duration.minutes(1) }),
    /^Stack\/Web: invalid verifyTimeout '1 minute': it bounds the verify hook, and no verify function is given\. Give verify/));
  test('verifyTimeout shorter than one answer', () => expectRefused((f) => ({ verify: f, verifyTimeout: Duration.seconds(10) }),
    /invalid verifyTimeout '10 s': the controller waits up to 30 s for each answer.*from 30 to 3300/));
  test('verifyTimeout beyond the release deadline', () => expectRefused((f) => ({ verify: f, verifyTimeout: Duration.hours(1) }),
    /invalid verifyTimeout '3600 s': .*must end the release within 3300 s\. Give verifyTimeout a whole number of seconds from 30 to 3300/));
  test('a test listener of yours with the deployment\'s own load balancer', () => {
    const { stack, vpc } = newStack();
    const imported = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Mine', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mine/0123456789abcdef/fedcba9876543210',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0'),
    });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { testListener: { port: 9000, allowFrom: [TESTERS], listener: imported } })))
      .toThrow(/^Stack\/Web: invalid testListener\.listener 'Stack\/Mine': the deployment creates its own load balancer.*Remove testListener\.listener/);
  });
  test('a port other than the one your test listener serves on', () => {
    const { stack, vpc } = newStack();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const production = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const testing = alb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener: production, priority: 5, testListener: { port: 9001, allowFrom: [TESTERS], listener: testing } })))
      .toThrow(/^Stack\/Web: invalid testListener\.port 9001: testListener\.listener Stack\/Alb\/Test serves on port 9000, and allowFrom is let in on testListener\.port\. Give testListener\.port 9000/);
  });
  test('a test listener on another load balancer (a target group serves one load balancer), told by objects or by ARNs', () => {
    const { stack, vpc } = newStack();
    const albs = ['Alb', 'Other'].map(id => new elbv2.ApplicationLoadBalancer(stack, id, { vpc }));
    const production = albs[0].addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const elsewhere = albs[1].addListener('Test', {
      port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404),
    });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener: production, priority: 5, testListener: { port: 9000, allowFrom: [TESTERS], listener: elsewhere } })))
      .toThrow(/^Stack\/Web: invalid testListener\.listener 'Stack\/Other\/Test': it is on another load balancer than the production listener Stack\/Alb\/Http, and a target group serves one load balancer only\. Give a test listener of the production listener's load balancer$/);
    const imported = (id: string, loadBalancer: string, listenerId: string) => elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, id,
      {
        listenerArn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/${loadBalancer}/${listenerId}`,
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, `${id}Sg`, 'sg-0123456789abcdef0'),
      });
    const prod = imported('Prod', 'shop/0123456789abcdef', '1111111111111111');
    expect(() => new ImmutableDeployment(stack, 'Api', baseProps(vpc, { listener: prod, priority: 6, testListener: { port: 9000, allowFrom: [TESTERS], listener: imported('Tst', 'lab/fedcba9876543210', '2222222222222222') } })))
      .toThrow(/invalid testListener\.listener 'Stack\/Tst': it is on another load balancer than the production listener Stack\/Prod/);
    expect(() => new ImmutableDeployment(stack, 'Ok', baseProps(vpc, { listener: prod, priority: 7, testListener: { port: 9000, allowFrom: [TESTERS], listener: imported('Same', 'shop/0123456789abcdef', '3333333333333333') } })))
      .not.toThrow();
  });
  test('your production listener without a test listener of yours, and the production listener as the test listener', () => {
    const { stack, vpc } = newStack();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const production = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener: production, priority: 5, testListener: { port: 9000, allowFrom: [TESTERS] } })))
      .toThrow(/^Stack\/Web: invalid testListener\.listener \(not set\): the deployment serves from your listener Stack\/Alb\/Http and cannot add a listener.*Give testListener\.listener a test listener of your own/);
    expect(() => new ImmutableDeployment(stack, 'Api', baseProps(vpc, { listener: production, priority: 6, testListener: { port: 80, allowFrom: [TESTERS], listener: production } })))
      .toThrow(/^Stack\/Api: invalid testListener\.listener 'Stack\/Alb\/Http': it is the production listener/);
  });
});

describe('the plan command\'s release schedule', () => {
  test('counts verifyTimeout in the total and names it, only with a hook', () => {
    const base = { Strategy: 'ALL_AT_ONCE', HealthTimeoutSeconds: '600', BakeSeconds: '300', DrainSeconds: '60', StepIntervalSeconds: '0' };
    const plain = releaseSchedule(base);
    const verified = releaseSchedule({ ...base, VerifyFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Smoke', VerifyTimeoutSeconds: '180' });
    expect(verified.totalSeconds - plain.totalSeconds).toBe(180);
    expect(verified.verifySeconds).toBe(180);
    expect(plain.verifySeconds).toBeUndefined();
    expect(scheduleLines(verified)[1]).toMatch(/to become healthy \+ 3 min verifying \+ /);
    expect(scheduleLines(plain)[1]).not.toContain('verifying');
  });
});
