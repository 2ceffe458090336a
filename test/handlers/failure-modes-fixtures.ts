import {
  ReleaseWorld,
  TrafficTrace,
  referencedGroups,
  trafficShares,
  type DriveResult,
  type FakeGeneration,
  type WorldDriveOptions,
} from './fake-aws';

/** What every drive of the failure-mode suites adds. */
export const CHECKED: WorldDriveOptions = { pollTwice: true };

/** Operations that change something: a CloudFormation rollback that is a no-op makes none. */
export const WRITES = /ModifyRule|CreateRule|DeleteRule|SetRulePriorities|SetDesiredCapacity/;

/**
 * The helpers the failure-mode suites share, bound to the world a test plays in. Tests replace
 * their world mid-test, so every helper reads it through `current` when it is called.
 */
export function failureModeHelpers(current: () => ReleaseWorld) {
  function trace(): TrafficTrace {
    const world = current();
    return new TrafficTrace(world.fake, () => world.rule() ?? world.fake.elbv2.ruleAtPriority(world.listenerArn, 100));
  }

  function drive(t: TrafficTrace, extra: WorldDriveOptions = {}): WorldDriveOptions {
    return { ...CHECKED, ...extra, afterTick: async (context) => { t.afterTick(context); await extra.afterTick?.(context); } };
  }

  function forwardsOnlyTo(generation: FakeGeneration): boolean {
    const rule = current().rule();
    return rule !== undefined
      && referencedGroups(rule.actions).length === 1
      && trafficShares(rule.actions).get(generation.targetGroupArn) === 100;
  }

  /** Create generation a (minSize instances) and release it: the live generation most tests start from. */
  async function liveA(minSize = 2): Promise<FakeGeneration> {
    const world = current();
    const a = world.generation('a', { minSize });
    const created = await world.create(a, {}, CHECKED);
    expect(created.status).toBe('SUCCESS');
    return a;
  }

  /** CloudFormation's rollback after a failed release must be one poll that writes nothing. */
  async function expectNoOpRollback(live: FakeGeneration): Promise<DriveResult> {
    const rollback = await current().cloudFormationRollback(CHECKED);
    expect(rollback.status).toBe('SUCCESS');
    expect(rollback.ticks).toHaveLength(1);
    expect(rollback.data).toMatchObject({ LiveGeneration: live.key, Outcome: 'UNCHANGED' });
    expect(rollback.calls.filter((c) => WRITES.test(c.operation))).toEqual([]);
    return rollback;
  }

  return { trace, drive, forwardsOnlyTo, liveA, expectNoOpRollback };
}
