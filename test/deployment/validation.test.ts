import * as cdk from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { baseProps, deploy, newStack } from './deployment-fixtures';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { ImmutableDeploymentProps } from '../../src/deployment/immutable-deployment-props';
import { TrafficShift } from '../../src/deployment/traffic-shift';

/** Escapes a literal for a RegExp. */
function lit(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Expects synth of a one-deployment stack to fail naming the path, the prop and its value, and the fix. */
function expectInvalid(overrides: Partial<ImmutableDeploymentProps>, prop: string, value: string, fix: RegExp): void {
  expect(() => deploy(overrides)).toThrow(new RegExp(`^Stack/Web: invalid ${lit(prop)} ${lit(value)}: `));
  expect(() => deploy(overrides)).toThrow(fix);
}

describe('capacity', () => {
  test('min above max', () => expectInvalid({ capacity: { min: 5, max: 2 } }, 'capacity.min', '5', /Lower capacity\.min to 2 or less, or raise capacity\.max to 5 or more/));
  test('negative min', () => expectInvalid({ capacity: { min: -1, max: 2 } }, 'capacity.min', '-1', /whole number from 0.*Give capacity\.min a whole number/));
  test('max of zero', () => expectInvalid({ capacity: { min: 0, max: 0 } }, 'capacity.max', '0', /at least one instance.*Give capacity\.max 1 or more/));
  test('desired outside min..max', () => expectInvalid({ capacity: { min: 2, max: 4, desired: 5 } }, 'capacity.desired', '5', /outside capacity\.min\.\.capacity\.max \(2\.\.4\).*from 2 to 4/));
});

describe('traffic shift', () => {
  test.each([0, 100, 150, 12.5])('canary percent %p', (percent) =>
    expectInvalid({ trafficShift: TrafficShift.canary({ percent, interval: Duration.minutes(1) }) }, 'trafficShift.percent', String(percent),
      /whole percentage from 1 to 99.*Give TrafficShift\.canary\(\{ percent \}\) a whole number from 1 to 99, or use TrafficShift\.allAtOnce\(\)/));
  test('linear percent', () =>
    expectInvalid({ trafficShift: TrafficShift.linear({ percent: 0, interval: Duration.minutes(1) }) }, 'trafficShift.percent', '0', /TrafficShift\.linear/));
  test('fractional interval', () =>
    expectInvalid({ trafficShift: TrafficShift.linear({ percent: 50, interval: Duration.millis(1500) }) }, 'trafficShift.interval', '\'1.5 seconds\'', /whole number of seconds/));
});

describe('health check', () => {
  test('path without a leading slash', () => expectInvalid({ healthCheck: { path: 'healthz' } }, 'healthCheck.path', '\'healthz\'', /Start the path with a slash: '\/healthz'/));
  test('interval out of range', () => expectInvalid({ healthCheck: { interval: Duration.seconds(3) } }, 'healthCheck.interval', '\'3 seconds\'', /from 5 to 300/));
  test('timeout not below interval', () =>
    expectInvalid({ healthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }, 'healthCheck.timeout', '\'10 seconds\'', /Lower healthCheck\.timeout below 10 seconds/));
  test('threshold out of range', () => expectInvalid({ healthCheck: { healthyThresholdCount: 11 } }, 'healthCheck.healthyThresholdCount', '11', /from 2 to 10/));
  test('bad HTTP codes', () => expectInvalid({ healthCheck: { healthyHttpCodes: '2xx' } }, 'healthCheck.healthyHttpCodes', '\'2xx\'', /'200-299'/));
  test.each(['500', '100-199', '200,503', '299-200'])('HTTP codes an Application Load Balancer refuses: %s', codes =>
    expectInvalid({ healthCheck: { healthyHttpCodes: codes } }, 'healthCheck.healthyHttpCodes', `'${codes}'`, /takes HTTP codes from 200 to 499 .*'200-299'/));
  test('health timeout too short to ever pass', () =>
    expectInvalid({ healthTimeout: Duration.seconds(15) }, 'healthTimeout', '\'15 s\'', /Raise healthTimeout well above 20 s/));
});

describe('load balancer choice', () => {
  test('HTTPS without a certificate', () =>
    expectInvalid({ listenerProtocol: elbv2.ApplicationProtocol.HTTPS }, 'certificates', '(not set)', /needs at least one certificate.*ListenerCertificate\.fromCertificateManager/));
  test('certificates on an HTTP listener', () =>
    expectInvalid({ listenerProtocol: elbv2.ApplicationProtocol.HTTP, certificates: [elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/x')] },
      'certificates', '\'1 certificate(s)\'', /Set listenerProtocol to HTTPS/));
  test('an SSL policy on HTTP', () => expectInvalid({ sslPolicy: elbv2.SslPolicy.TLS13_13 }, 'sslPolicy', '\'ELBSecurityPolicy-TLS13-1-3-2021-06\'', /remove sslPolicy/));

  function sharedListener(overrides: Partial<ImmutableDeploymentProps>, secondPriority?: number) {
    const { stack, vpc } = newStack();
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Shared', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedGroup', 'sg-0123456789abcdef0'),
    });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener, ...overrides }));
    if (secondPriority !== undefined) {
      // A second import of the same listener is the same listener.
      const again = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'SharedAgain', {
        listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210',
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedGroupAgain', 'sg-0123456789abcdef0'),
      });
      new ImmutableDeployment(stack, 'Api', baseProps(vpc, { listener: again, priority: secondPriority }));
    }
    return stack;
  }

  test('listener and own load balancer options together', () => {
    expect(() => sharedListener({ priority: 10, internetFacing: true, sslPolicy: elbv2.SslPolicy.TLS13_13 }))
      .toThrow(/^Stack\/Web: invalid internetFacing true: it configures the deployment's own load balancer, and listener says to use yours \(Stack\/Shared\)\. Remove internetFacing, sslPolicy/);
  });
  test('listener without priority', () => {
    expect(() => sharedListener({})).toThrow(/^Stack\/Web: invalid priority \(not set\): .*Give priority a number from 1 to 50000/);
  });
  test.each([0, 50001, 2.5])('priority %p out of range', (priority) => {
    expect(() => sharedListener({ priority })).toThrow(new RegExp(`^Stack/Web: invalid priority ${lit(String(priority))}: .*from 1 to 50000`));
  });
  test('priority clash with another deployment on the same listener', () => {
    expect(() => sharedListener({ priority: 10 }, 10))
      .toThrow(/^Stack\/Api: invalid priority 10: the ImmutableDeployment Stack\/Web already uses priority 10 on the same listener.*Give this deployment another priority, for example 11/);
  });
  test('different priorities on one listener, and equal priorities on different listeners, are fine', () => {
    expect(() => sharedListener({ priority: 10 }, 11)).not.toThrow();
    const { stack, vpc } = newStack();
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { priority: 10 }));
    new ImmutableDeployment(stack, 'Api', baseProps(vpc, { priority: 10 }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
  test('priority clash with a CDK listener rule, found at synth', () => {
    const { stack, vpc } = newStack();
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { priority: 5 }));
    (deployment.listener as elbv2.ApplicationListener).addAction('Maintenance', {
      priority: 5,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/maintenance'])],
      action: elbv2.ListenerAction.fixedResponse(503),
    });
    expect(() => Template.fromStack(stack)).toThrow(/\[Stack\/Web\] invalid priority 5: the listener rule Stack\/Web\/LoadBalancer\/Listener\/MaintenanceRule\/Resource has the same priority/);
  });
});

describe('listener rule conditions, against the Application Load Balancer quotas', () => {
  const C = elbv2.ListenerCondition;
  test('one condition of each type compares 6 values; a rule takes 5', () =>
    expectInvalid({
      conditions: [C.hostHeaders(['example.com']), C.httpHeader('X-Canary', ['yes']), C.httpRequestMethods(['GET']), C.pathPatterns(['/app']), C.queryStrings([{ key: 'v', value: '2' }]), C.sourceIps(['10.0.0.0/8'])],
    }, 'conditions', '\'host-header, http-header, http-request-method, path-pattern, query-string, so...\'',
    /would compare 6 values \(host-header 1, http-header 1, http-request-method 1, path-pattern 1, query-string 1, source-ip 1\).*at most 5 across its conditions.*load-balancer-limits\.html.*Drop conditions/));
  test('four values in one condition; a condition takes 3', () =>
    expectInvalid({ conditions: [C.hostHeaders(['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'])] }, 'conditions', '\'host-header\'',
      /compares 4 values, and a condition takes at most 3.*a wildcard such as '\*\.example\.com' can stand for several/));
  test('two path-pattern conditions; a rule takes one', () =>
    expectInvalid({ conditions: [C.pathPatterns(['/a']), C.pathPatterns(['/b'])] }, 'conditions', '\'path-pattern, path-pattern\'',
      /2 path-pattern conditions, and a rule takes at most one.*elbv2\.ListenerCondition\.pathPatterns/));
  test('six wildcards; a rule takes 5', () =>
    expectInvalid({ conditions: [C.pathPatterns(['/a/*/*/*']), C.hostHeaders(['*.example.com', '?.ex?mple.com'])] }, 'conditions', '\'path-pattern, host-header\'',
      /hold 6 wildcards.*at most 5/));
  test.each([
    ['a host without a dot', [C.hostHeaders(['localhost'])], /the host-header value 'localhost' is not a host name with a '\.' and letters after the last one.*API_RuleCondition\.html.*Give a host such as 'www\.example\.com'/],
    ['a host ending in a wildcard', [C.hostHeaders(['example.*'])], /the host-header value 'example\.\*' is not a host name/],
    ['a path over 128 characters', [C.pathPatterns([`/${'a'.repeat(200)}`])], /the path-pattern value '\/a+\.\.\.' is 201 characters, and a value is at most 128/],
    ['a header name over 40 characters', [C.httpHeader('X-'.padEnd(41, 'h'), ['yes'])], /the http-header value 'X-h+' is not a header name of at most 40 characters without wildcards/],
    ['a header name with a wildcard', [C.httpHeader('X-*', ['yes'])], /the http-header value 'X-\*' is not a header name/],
    ['a source IP without a prefix length', [C.sourceIps(['10.0.0.1'])], /the source-ip value '10\.0\.0\.1' is not in CIDR format.*'10\.0\.0\.0\/16'/],
  ])('%s (refused when the rule is created, after the fleet is up)', (_what, conditions, message) =>
    expectInvalid({ conditions }, 'conditions', `'${conditions.map(c => (c.renderRawCondition() as { field: string }).field).join(', ')}'`, message));
  test('within every limit (3 + 2 values, 5 wildcards), and values that are tokens count without being read', () => {
    const { stack, vpc } = newStack();
    const token = cdk.Fn.importValue('HostName');
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      conditions: [C.hostHeaders(['*.example.com', token, '?.example.org']), C.pathPatterns(['/api/*', '/v?/*'])],
    }))).not.toThrow();
    expect(() => new ImmutableDeployment(stack, 'Api', baseProps(vpc, {
      conditions: [C.hostHeaders([token, token, token]), C.pathPatterns(['/a', '/b', '/c'])],
    }))).toThrow(/would compare 6 values/);
  });
});

test('a construct path too long for the release tag on the listener rule', () => {
  const { stack, vpc } = newStack();
  let scope: Construct = stack;
  for (let i = 0; i < 6; i++) {
    scope = new Construct(scope, `Level${i}${'x'.repeat(40)}`);
  }
  expect(() => new ImmutableDeployment(scope, 'Web', baseProps(vpc)))
    .toThrow(/\/Web: invalid id 'Stack\/Level0x+.*': the deployment's name from its construct path \(\d+ characters\) is part of a listener rule tag value, which takes at most 225 characters of it\. Give the deployment, or the constructs above it, shorter ids/);
});

describe('security', () => {
  test('keyName is refused', () =>
    expectInvalid({ keyName: 'ops' }, 'keyName', '\'ops\'', /opens no SSH.*connect with SSM Session Manager \(aws ssm start-session --target <instance-id>\)/));
});

describe('images', () => {
  test('a deploy-time AMI id without a generation key', () => {
    expect(() => deploy({ image: DeploymentImage.fromMachineImage(ec2.MachineImage.latestAmazonLinux2023()) })).toThrow(
      /^Stack\/Web: invalid image 'DeploymentImage\.fromMachineImage\(\) with AMI id a token': its AMI id is only known at deploy time.*DeploymentImage\.fromSsmParameterLookup\(\).*cachedInContext: true.*or set generationKey/);
  });
  test('a deploy-time AMI id via fromAmiId', () => {
    const { stack, vpc } = newStack();
    const param = ec2.MachineImage.fromSsmParameter('/my/ami');
    const amiId = param.getImage(stack).imageId;
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromAmiId(amiId) })))
      .toThrow(/^Stack\/Web: invalid image 'DeploymentImage\.fromAmiId\(\) with AMI id a token'/);
  });
  test('a malformed AMI id', () =>
    expectInvalid({ image: DeploymentImage.fromAmiId('ami-xyz') }, 'image', '\'ami-xyz\'', /Give DeploymentImage\.fromAmiId\(\) an AMI id such as 'ami-0123456789abcdef0'/));
  test('a token generation key', () => {
    const { stack, vpc } = newStack();
    const key = new s3.Bucket(stack, 'B').bucketName;
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { generationKey: key })))
      .toThrow(/^Stack\/Web: invalid generationKey \(a token\): .*Give a non-empty literal string/);
  });
});

describe('user data', () => {
  test('deploy-time values without a generation key', () => {
    const { stack, vpc } = newStack();
    const userData = ec2.UserData.forLinux();
    userData.addCommands(`aws s3 cp s3://${new s3.Bucket(stack, 'Site').bucketName}/site.zip /srv/`);
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { userData })))
      .toThrow(/^Stack\/Web: invalid userData '\(user data with deploy-time values\)': it refers to values only known at deploy time.*or set generationKey/);
  });
  test('commands added after the deployment was created', () => {
    const { stack, vpc } = newStack();
    const userData = ec2.UserData.forLinux();
    userData.addCommands('echo one');
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { userData }));
    userData.addCommands('echo two');
    expect(() => Template.fromStack(stack)).toThrow(/\[Stack\/Web\] invalid userData \(changed after the deployment was created\).*Add every user data command before creating the ImmutableDeployment/);
  });
});

describe('the one-hour limit', () => {
  test('a long canary and bake: says which setting to lower and by how much', () => {
    expect(() => deploy({
      trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(30) }),
      bakeTime: Duration.minutes(20),
    })).toThrow(
      'Stack/Web: invalid release timing (3960 s): a release must finish within CloudFormation\'s 3600 s custom resource limit, and this one can take '
      + 'healthTimeout 600 s + trafficShift 1 x 1800 s = 1800 s (10, 100 %) + bakeTime 1200 s + deregistrationDelay 60 s + 300 s margin = 3960 s, 360 s too long. '
      + 'Lower trafficShift by at least 360 s (to 1440 s or less: a larger percent (fewer steps) or a shorter interval).');
  });
  test('a slow linear shift', () => {
    expect(() => deploy({ trafficShift: TrafficShift.linear({ percent: 5, interval: Duration.minutes(3) }) }))
      .toThrow(/trafficShift 19 x 180 s = 3420 s \(5, 10, .*, 95, 100 %\) \+ bakeTime 300 s .* = 4680 s, 1080 s too long\. Lower trafficShift by at least 1080 s \(to 2340 s or less/);
  });
  test('a bake time that alone breaks the limit', () => {
    expect(() => deploy({ bakeTime: Duration.minutes(50) }))
      .toThrow(/trafficShift 0 s \(all at once\) \+ bakeTime 3000 s .* 360 s too long\. Lower bakeTime by at least 360 s \(to 2640 s or less\)\.$/);
  });
  test('several settings together: names them all', () => {
    expect(() => deploy({
      healthTimeout: Duration.seconds(1000),
      trafficShift: TrafficShift.canary({ percent: 50, interval: Duration.seconds(900) }),
      bakeTime: Duration.seconds(900),
      deregistrationDelay: Duration.seconds(600),
    })).toThrow(/= 3700 s, 100 s too long\. Lower healthTimeout by at least 100 s \(to 900 s or less\)\.$/);
    expect(() => deploy({
      healthTimeout: Duration.seconds(900),
      trafficShift: TrafficShift.canary({ percent: 50, interval: Duration.seconds(900) }),
      bakeTime: Duration.seconds(900),
      deregistrationDelay: Duration.seconds(600),
    })).not.toThrow();
  });
  test('exactly one hour fits', () => {
    // 600 + 0 + 2640 + 60 + 300 = 3600
    expect(() => deploy({ bakeTime: Duration.seconds(2640) })).not.toThrow();
    expect(() => deploy({ bakeTime: Duration.seconds(2641) })).toThrow(/1 s too long/);
  });
});
