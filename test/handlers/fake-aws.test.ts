import { DescribeScalingActivitiesCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateRuleCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FAKE_STATE_TABLE, FakeAws, RESPONSE_CODE_MISMATCH } from './fake-aws';
import { aws, type AwsClients } from '../../src/handlers/release-controller/aws/clients';

let fake: FakeAws;
// The controller's own clients, whose request handler is the fake's.
let elbv2: AwsClients['elbv2'];
let autoScaling: AwsClients['autoScaling'];
let cloudWatch: AwsClients['cloudWatch'];
let dynamoDb: AwsClients['dynamoDb'];

beforeEach(() => {
  fake = new FakeAws().install();
  ({ elbv2, autoScaling, cloudWatch, dynamoDb } = aws());
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
    // One passing check makes a newly registered target healthy (HealthyThresholdCount 3 notwithstanding).
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

  test('a newly registered target is healthy after one passing check; HealthyThresholdCount applies once it was unhealthy', async () => {
    const listener = fake.elbv2.createListener();
    const g = fake.createGeneration({ key: 'a', minSize: 1, healthCheck: { intervalSeconds: 10, healthyThreshold: 5, unhealthyThreshold: 2 } });
    await elbv2.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward([g.targetGroupArn, 1]) }));
    fake.advance(50);
    expect(await states(g.targetGroupArn)).toEqual(['healthy']);
    // Two failed checks (UnhealthyThresholdCount 2), then five passes to be healthy again.
    fake.autoScaling.failInstances(g.autoScalingGroupName, { until: fake.clock.now() + 25_000 });
    fake.advance(20);
    expect(await states(g.targetGroupArn)).toEqual(['unhealthy/Target.ResponseCodeMismatch']);
    fake.advance(40);
    expect(await states(g.targetGroupArn)).toEqual(['unhealthy/Target.ResponseCodeMismatch']);
    fake.advance(10);
    expect(await states(g.targetGroupArn)).toEqual(['healthy']);
  });

  test('targets in a zone the load balancer does not have are not in use', async () => {
    const listener = fake.elbv2.createListener('web', { availabilityZones: ['us-east-1a'] });
    const g = fake.createGeneration({ key: 'a', minSize: 2, availabilityZones: ['us-east-1a', 'us-east-1c'] });
    await elbv2.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward([g.targetGroupArn, 1]) }));
    fake.advance(60);
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.targetGroupArn }));
    expect(out.TargetHealthDescriptions?.map((t) => [t.TargetHealth?.State, t.TargetHealth?.Description]).sort()).toEqual([
      ['healthy', undefined],
      ['unused', 'Target is in an Availability Zone that is not enabled for your load balancer'],
    ]);
  });

  test('quotas per load balancer: 100 rules across its listeners, 100 target groups, and a target group on one load balancer only', async () => {
    const first = fake.elbv2.createListener('web');
    const second = fake.elbv2.createListener('web', { sameLoadBalancerAs: first });
    const groups = Array.from({ length: 101 }, (_, i) => fake.elbv2.createTargetGroup({ name: `tg${i}` }));
    const rule = (listener: string, priority: number, arn: string) => elbv2.send(new CreateRuleCommand({
      ListenerArn: listener, Priority: priority, Conditions: [{ Field: 'path-pattern', Values: [`/${priority}`] }], Actions: forward([arn, 1]),
    }));
    for (let i = 0; i < 100; i++) {
      await rule(i % 2 === 0 ? first : second, i + 1, groups[i]);
    }
    await expect(rule(second, 200, groups[0])).rejects.toMatchObject({ name: 'TooManyRulesException' });
    const ruleArn = fake.elbv2.rulesOf(first)[0].arn;
    await expect(elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([groups[0], 1], [groups[100], 1]) })))
      .rejects.toMatchObject({ name: 'TooManyUniqueTargetGroupsPerLoadBalancerException' });
    const other = fake.elbv2.createListener('other');
    await expect(rule(other, 1, groups[0])).rejects.toMatchObject({ name: 'TargetGroupAssociationLimitException' });
  });

  test('commands the fake does not implement fail loudly', async () => {
    await expect(elbv2.send(new DescribeLoadBalancersCommand({}))).rejects.toThrow(/elbv2:DescribeLoadBalancers is not implemented/);
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

describe('alarms, state table and faults', () => {
  test('EventBridge: entries under 256 KB as EventBridge measures them, no aws. sources, Detail a JSON object', async () => {
    const put = (entry: Record<string, unknown>) => aws().eventBridge.send(new PutEventsCommand({ Entries: [{ Source: 'cdk-immutable-infra', DetailType: 'Step', Detail: '{}', ...entry }] }));
    await expect(put({ Detail: JSON.stringify({ x: 'y'.repeat(256 * 1024) }) })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put({ Source: 'aws.elasticloadbalancing' })).resolves.toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'NotAuthorizedForSourceException' }] });
    await expect(put({ Detail: '[1, 2]' })).resolves.toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail' }] });
    await expect(put({})).resolves.toMatchObject({ FailedEntryCount: 0 });
  });

  test('DescribeAlarms returns composite alarms only when asked for them', async () => {
    fake.cloudWatch.putAlarm('m');
    fake.cloudWatch.putAlarm('c', { type: 'CompositeAlarm', state: 'ALARM' });
    const plain = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['m', 'c'] }));
    expect([...(plain.MetricAlarms ?? []), ...(plain.CompositeAlarms ?? [])].map((a) => a.AlarmName)).toEqual(['m']);
    const both = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['m', 'c'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect(both.CompositeAlarms?.map((a) => a.StateValue)).toEqual(['ALARM']);
  });

  test('DynamoDB: conditional updates (the old item comes back with ALL_OLD), placeholders checked both ways, the 400 KB item limit', async () => {
    const key = { Deployment: { S: 'Web' } };
    const put = (value: string, condition?: string, extra: Record<string, { S: string }> = {}) => dynamoDb.send(new UpdateItemCommand({
      TableName: FAKE_STATE_TABLE,
      Key: key,
      UpdateExpression: 'SET #v = :v',
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeNames: { '#v': 'Value' },
      ExpressionAttributeValues: { ':v': { S: value }, ...extra },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }));
    await expect(put('1', 'attribute_not_exists(#v)')).resolves.toMatchObject({ Attributes: { Deployment: { S: 'Web' }, Value: { S: '1' } } });
    await expect(put('2', 'attribute_not_exists(#v)')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException', Item: { Value: { S: '1' } } });
    await expect(put('2', '#v = :old OR (NOT attribute_exists(#v))', { ':old': { S: '1' } })).resolves.toMatchObject({ Attributes: { Value: { S: '2' } } });
    await expect(put('3', undefined, { ':unused': { S: 'x' } })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/unused in expressions: keys: \{:unused\}/) });
    await expect(put('x'.repeat(400 * 1024))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/maximum allowed size/) });
    await expect(dynamoDb.send(new GetItemCommand({ TableName: FAKE_STATE_TABLE, Key: key }))).resolves.toMatchObject({ Item: { Value: { S: '2' } } });
    await expect(dynamoDb.send(new GetItemCommand({ TableName: 'Other', Key: key }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await dynamoDb.send(new DeleteItemCommand({ TableName: FAKE_STATE_TABLE, Key: key }));
    expect(fake.stateItems()).toBe(0);
  });

  test('faults meet the SDK\'s own retries: each attempt is a call of its own, and a lost response is sent again', async () => {
    const key = { Deployment: { S: 'Web' } };
    const update = (value: string) => dynamoDb.send(new UpdateItemCommand({
      TableName: FAKE_STATE_TABLE, Key: key, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'State' }, ExpressionAttributeValues: { ':s': { S: value } },
    }));
    // Three throttled attempts use up maxAttempts 3; the SDK then gives up with the service's error.
    fake.faults.add({ kind: 'throttle', operation: 'dynamodb:GetItem', times: 3 });
    await update('v');
    await expect(dynamoDb.send(new GetItemCommand({ TableName: FAKE_STATE_TABLE, Key: key })))
      .rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400, attempts: 3 } });
    await expect(dynamoDb.send(new GetItemCommand({ TableName: FAKE_STATE_TABLE, Key: key }))).resolves.toMatchObject({ Item: { State: { S: 'v' } } });
    // The back-off ran on the simulated clock, not on a real timer.
    expect(fake.clock.elapsedSeconds()).toBeGreaterThan(0);

    // A lost response: the service applied the write, the SDK timed out and sent it again.
    fake.faults.add({ kind: 'lost-response', operation: 'UpdateItem', times: 1 });
    await expect(update('w')).resolves.toMatchObject({ $metadata: { attempts: 2 } });
    expect(fake.callsTo('UpdateItem').map((c) => c.outcome)).toEqual(['ok', 'lost-response', 'ok']);
    expect(fake.stateValue('Web')).toBe('w');

    // Each service's own 5xx name, and IAM's refusal.
    fake.faults.add({ kind: 'server-error', operation: 'cloudwatch:DescribeAlarms', times: 3 });
    // A draw under 0.5 makes the fault a 500 (above: a 503, ServiceUnavailable everywhere).
    fake.random.next = () => 0.1;
    await expect(cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['x'] }))).rejects.toMatchObject({ name: 'InternalServiceFault', $fault: 'server' });
    fake.faults.add({ kind: 'access-denied', operation: 'elbv2:DescribeRules', times: 1 });
    await expect(elbv2.send(new DescribeRulesCommand({ ListenerArn: fake.elbv2.createListener() })))
      .rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403, attempts: 1 } });

    // A non-idempotent call retried the same way meets its own first attempt.
    const listener = fake.elbv2.createListener();
    const g = fake.createGeneration({ key: 'a' });
    fake.faults.add({ kind: 'lost-response', operation: 'CreateRule', times: 1 });
    await expect(elbv2.send(new CreateRuleCommand({
      ListenerArn: listener, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward([g.targetGroupArn, 1]),
    }))).rejects.toMatchObject({ name: 'PriorityInUseException', $metadata: { attempts: 2 } });
    expect(fake.elbv2.rulesOf(listener)).toHaveLength(1);

    const pattern = async (seed: number) => {
      const other = new FakeAws({ seed });
      other.faults.add({ kind: 'server-error', probability: 0.5 });
      return Array.from({ length: 20 }, () => other.faults.decide('dynamodb:UpdateItem', 0) ?? '-').join(',');
    };
    expect(await pattern(7)).toBe(await pattern(7));
    expect(await pattern(7)).not.toBe(await pattern(8));
  });

  test('a crash ends the invocation at the call: nothing after it runs', async () => {
    fake.faults.add({ kind: 'crash-after', operation: 'UpdateItem', times: 1 });
    let after = false;
    const outcome = await fake.runInvocation(async () => {
      await dynamoDb.send(new UpdateItemCommand({
        TableName: FAKE_STATE_TABLE, Key: { Deployment: { S: 'Web' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'State' }, ExpressionAttributeValues: { ':s': { S: 'v' } },
      }));
      after = true;
      return 'done';
    });
    expect(outcome).toEqual({ kind: 'crashed', operation: 'dynamodb:UpdateItem' });
    expect(after).toBe(false);
    expect(fake.stateValue('Web')).toBe('v');
    await expect(fake.runInvocation(async () => 'next')).resolves.toEqual({ kind: 'returned', value: 'next' });
  });
});
