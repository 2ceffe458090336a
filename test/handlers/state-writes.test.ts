/**
 * Writes to the release state per poll (issue 11: "measure writes per poll, cut them, and
 * test a stack at its deployment limit under throttling"). A poll that only waits writes
 * nothing; one whose state changes writes once; one that writes the listener rule writes
 * twice (the pending write with the lease, then the result as it gives the lease up); the
 * poll that claims a request and sizes its generation three times. With the state in SSM
 * Parameter Store (the earlier controller at b62fe33 and its fake, same canary release, 67
 * polls there): 13 PutParameter and 67 GetParameter, up to 4 writes in one poll, all against
 * the account's shared Parameter Store throughput.
 */
import { ReleaseWorld, driveConcurrently, referencedGroups, trafficShares, type CallRecord, type DriveResult, type FakeGeneration } from './fake-aws';
import type { ReleaseProperties } from '../../src/release-contract/release-properties';

const STATE_WRITES = /^dynamodb:(UpdateItem|DeleteItem)$/;

/** State writes that took effect, per poll (invocation) of a drive. */
function writesPerPoll(result: DriveResult): number[] {
  const perPoll = new Map<number, number>(result.ticks.map((_t, i) => [i, 0]));
  const invocations = [...new Set(result.calls.map((c) => c.invocation))];
  for (const call of result.calls.filter((c: CallRecord) => STATE_WRITES.test(c.operation) && c.outcome === 'ok')) {
    const index = invocations.indexOf(call.invocation);
    perPoll.set(index, (perPoll.get(index) ?? 0) + 1);
  }
  return [...perPoll.values()];
}

let world: ReleaseWorld;

beforeEach(() => {
  world = new ReleaseWorld();
});

afterEach(() => {
  world.dispose();
});

test('a canary release: no state write while it waits, two per traffic step, three when the request is claimed', async () => {
  const a = world.generation('a', { minSize: 2 });
  expect((await world.create(a)).status).toBe('SUCCESS');
  world.fake.cloudWatch.putAlarm('Web-5xx');
  const b = world.generation('b');
  const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 300, bakeSeconds: 300, drainSeconds: 60, alarmNames: ['Web-5xx'] });
  expect(result.status).toBe('SUCCESS');
  const writes = writesPerPoll(result);
  // 66 polls, 9 writes: the claim poll 3 (the lease for sizing, the pending attach, the
  // result), the 10 % step, the 100 % step and the commit 2 each; every other poll none.
  expect(result.ticks).toHaveLength(66);
  expect(writes[0]).toBe(3);
  expect(Math.max(...writes.slice(1))).toBe(2);
  expect(writes.reduce((sum, n) => sum + n, 0)).toBe(9);
  expect(writes.filter((n) => n === 0)).toHaveLength(62);
  expect(result.calls.filter((c) => c.operation === 'dynamodb:GetItem')).toHaveLength(66);
});

test('a stack at its deployment limit (21 deployments) releases all at once under DynamoDB throttling', async () => {
  // 21 deployments of 21 resources each fill CloudFormation's 500 resources with the controller
  // (README, "Scale"); each has a load balancer and listener of its own.
  const count = 21;
  const deployments = Array.from({ length: count }, (_, i) => ({
    name: `Web${i}`,
    logicalId: `Web${i}Release`,
    listenerArn: world.fake.elbv2.createListener(`web${i}`),
    a: world.fake.createGeneration({ key: `a${i}`, minSize: 2, maxSize: 6 }),
    b: undefined as FakeGeneration | undefined,
  }));
  const props = (d: typeof deployments[number], g: FakeGeneration, settings = {}): ReleaseProperties => ({
    ...world.properties(g, { strategy: 'LINEAR', stepPercent: 50, stepIntervalSeconds: 60, bakeSeconds: 60, ...settings }),
    DeploymentName: d.name,
    ListenerArn: d.listenerArn,
  });
  const created = await driveConcurrently(deployments.map((d) => ({
    fake: world.fake, requestType: 'Create' as const, properties: props(d, d.a), logicalResourceId: d.logicalId,
  })));
  expect(created.map((r) => r.status)).toEqual(Array(count).fill('SUCCESS'));
  for (const d of deployments) {
    d.b = world.fake.createGeneration({ key: `b${deployments.indexOf(d)}`, minSize: 1, maxSize: 6 });
  }
  // A third of every call to the state table is throttled, on top of what the table's own
  // per-item throughput refuses.
  world.fake.faults.add({ kind: 'throttle', operation: /^dynamodb:/, probability: 0.33 });
  const released = await driveConcurrently(deployments.map((d, i) => ({
    fake: world.fake,
    requestType: 'Update' as const,
    properties: props(d, d.b!),
    oldProperties: props(d, d.a),
    physicalResourceId: created[i].physicalResourceId,
    logicalResourceId: d.logicalId,
  })));
  expect(released.map((r) => r.status)).toEqual(Array(count).fill('SUCCESS'));
  for (const d of deployments) {
    const rule = world.fake.elbv2.rulesOf(d.listenerArn)[0];
    expect(referencedGroups(rule.actions)).toEqual([d.b!.targetGroupArn]);
    expect(trafficShares(rule.actions).get(d.b!.targetGroupArn)).toBe(100);
  }
  const throttled = world.fake.calls.filter((c) => c.operation.startsWith('dynamodb:') && c.outcome === 'throttle').length;
  expect(throttled).toBeGreaterThan(100);
  expect(Math.max(...released.flatMap(writesPerPoll))).toBeLessThanOrEqual(3);
});
