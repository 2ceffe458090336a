import { InvalidProperties } from '../../../src/handlers/release-controller/errors';
import { releasePhysicalId } from '../../../src/handlers/release-controller/identity';
import { parseDeleteProperties, parseReleaseProperties } from '../../../src/handlers/release-controller/properties';
import { CUSTOM_RESOURCE_LIMIT_SECONDS, MAX_DEPLOYMENT_NAME_LENGTH, MAX_GROUP_SIZE, MAX_STICKINESS_SECONDS, PRIORITY_RANGE } from '../../../src/release-contract/limits';
import type { ReleaseProperties } from '../../../src/release-contract/release-properties';

const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/0123456789abcdef/fedcba9876543210';
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/fedcba9876543210';

/** Properties as CloudFormation delivers them: every scalar a string. */
function properties(overrides: Partial<Record<keyof ReleaseProperties, unknown>> = {}): Record<string, unknown> {
  const base: ReleaseProperties = {
    DeploymentName: 'StackWebA1B2C3D4',
    ListenerArn: LISTENER,
    Priority: '50000',
    Conditions: JSON.stringify([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]),
    Generation: { Key: 'a1b2c3d4', TargetGroupArn: TARGET_GROUP, AutoScalingGroupName: 'web-green' },
    MinCapacity: '2',
    MaxCapacity: '6',
    Strategy: 'LINEAR',
    StepPercent: '25',
    StepIntervalSeconds: '60',
    BakeSeconds: '300',
    DrainSeconds: '60',
    HealthTimeoutSeconds: '600',
    AlarmNames: ['Web-5xx'],
    InsufficientDataPolicy: 'OK',
    DeadlineSeconds: '3300',
    StickinessSeconds: '0',
  };
  return { ...base, ...overrides };
}

function problems(raw: unknown): string[] {
  try {
    parseReleaseProperties(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidProperties);
    return [...(error as InvalidProperties).problems];
  }
  throw new Error('expected the properties to be refused');
}

describe('parseReleaseProperties', () => {
  test('parses the strings CloudFormation sends into numbers and the generation', () => {
    const config = parseReleaseProperties(properties({ DesiredCapacity: '3', StepIntervalSeconds: '1.5' }));
    expect(config).toMatchObject({
      deploymentName: 'StackWebA1B2C3D4',
      priority: 50000,
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      generation: { key: 'a1b2c3d4', targetGroupArn: TARGET_GROUP, autoScalingGroupName: 'web-green' },
      minCapacity: 2,
      maxCapacity: 6,
      desiredCapacity: 3,
      strategy: 'LINEAR',
      stepPercent: 25,
      stepIntervalSeconds: 1.5,
      alarmNames: ['Web-5xx'],
      insufficientDataPolicy: 'OK',
      deadlineSeconds: 3300,
      stickinessSeconds: 0,
    });
  });

  test('ALL_AT_ONCE moves 100 % whatever the step says; an empty alarm list CloudFormation dropped is none', () => {
    const config = parseReleaseProperties(properties({ Strategy: 'ALL_AT_ONCE', StepPercent: undefined, AlarmNames: undefined }));
    expect(config.stepPercent).toBe(100);
    expect(config.alarmNames).toEqual([]);
  });

  test('checks against the contract\'s limits, the same ones the construct checks at synth', () => {
    expect(problems(properties({ Priority: String(PRIORITY_RANGE.max + 1) }))).toEqual([`Priority: expected an integer from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}, got "50001"`]);
    expect(problems(properties({ MaxCapacity: String(MAX_GROUP_SIZE + 1) }))).toContain(`MaxCapacity: expected an integer from 1 to ${MAX_GROUP_SIZE}, got "10001"`);
    expect(problems(properties({ StickinessSeconds: String(MAX_STICKINESS_SECONDS + 1) }))).toEqual([`StickinessSeconds: expected an integer from 0 to ${MAX_STICKINESS_SECONDS}, got "604801"`]);
    expect(problems(properties({ DeadlineSeconds: String(CUSTOM_RESOURCE_LIMIT_SECONDS + 1) }))).toEqual([`DeadlineSeconds: expected a number of seconds from 1 to ${CUSTOM_RESOURCE_LIMIT_SECONDS}, got "3601"`]);
    // The name is part of the rule's release tag value, at most 256 characters in all.
    const longest = 'd'.repeat(MAX_DEPLOYMENT_NAME_LENGTH);
    expect(releasePhysicalId(longest, 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Web/1', 'Release')).toHaveLength(256);
    expect(() => parseReleaseProperties(properties({ DeploymentName: longest }))).not.toThrow();
    expect(problems(properties({ DeploymentName: `${longest}d` }))[0]).toMatch(new RegExp(`^DeploymentName: expected a name of 1 to ${MAX_DEPLOYMENT_NAME_LENGTH} printable ASCII characters`));
  });

  test('names every problem at once, not the first', () => {
    expect(problems(properties({
      ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/nlb/1/2',
      Conditions: '[]',
      Generation: { Key: 'k', TargetGroupArn: 'not-an-arn', AutoScalingGroupName: '' },
      MinCapacity: '7',
      Strategy: 'BLUE_GREEN',
      InsufficientDataPolicy: 'IGNORE',
    }))).toEqual([
      'Strategy: expected one of ALL_AT_ONCE, CANARY, LINEAR, got "BLUE_GREEN"',
      'ListenerArn: expected an Application Load Balancer listener ARN, got "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/nlb/1/2"',
      'Conditions: expected a non-empty JSON array of ELBv2 RuleCondition objects (each with a Field), got "[]"',
      'Generation.TargetGroupArn: expected a target group ARN, got "not-an-arn"',
      'Generation.AutoScalingGroupName: expected a non-empty string, got ""',
      'InsufficientDataPolicy: expected one of OK, FAIL, got "IGNORE"',
      'MinCapacity (7) must not exceed MaxCapacity (6)',
    ]);
  });

  test('verification: absent without a test listener or hook; the timeout defaults; each value is checked', () => {
    expect(parseReleaseProperties(properties()).verification).toBeUndefined();
    const hook = 'arn:aws:lambda:eu-west-1:123456789012:function:Smoke';
    const testListener = LISTENER.replace('fedcba9876543210', '0000000000000001');
    expect(parseReleaseProperties(properties({ VerifyFunctionArn: hook })).verification).toEqual({ functionArn: hook, timeoutSeconds: 300 });
    expect(parseReleaseProperties(properties({ TestListenerArn: testListener, TestEndpoint: 'http://test:8443', VerifyFunctionArn: hook, VerifyTimeoutSeconds: '120' })).verification)
      .toEqual({ testListenerArn: testListener, testEndpoint: 'http://test:8443', functionArn: hook, timeoutSeconds: 120 });
    expect(problems(properties({ TestListenerArn: LISTENER, VerifyFunctionArn: 'Smoke', VerifyTimeoutSeconds: '7200' }))).toEqual([
      'VerifyFunctionArn: expected a Lambda function ARN, got "Smoke"',
      `VerifyTimeoutSeconds: expected a number of seconds from 1 to ${CUSTOM_RESOURCE_LIMIT_SECONDS}, got "7200"`,
      `TestListenerArn: expected a listener other than ListenerArn, got ${LISTENER}`,
    ]);
  });

  test('refuses something that is not an object of properties', () => {
    expect(problems('Priority=1')).toEqual(['expected an object of properties, got "Priority=1"']);
  });
});

describe('parseDeleteProperties', () => {
  test('takes what it can use and never throws, so a Delete after a failed Create succeeds', () => {
    expect(parseDeleteProperties(properties())).toEqual({
      deploymentName: 'StackWebA1B2C3D4', listenerArn: LISTENER, priority: 50000, targetGroupArns: [TARGET_GROUP],
    });
    expect(parseDeleteProperties({ Priority: '0', Generation: 'garbage' })).toEqual({
      deploymentName: undefined, listenerArn: undefined, priority: undefined, targetGroupArns: [],
    });
    expect(parseDeleteProperties(undefined)).toEqual({ deploymentName: undefined, listenerArn: undefined, priority: undefined, targetGroupArns: [] });
  });
});
