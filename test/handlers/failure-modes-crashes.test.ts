/**
 * The release controller's failure-mode suite, part 5 (see failure-modes.test.ts for the
 * rest and the invariants every drive checks): the Lambda dies or times out before or after
 * each AWS call of a release, one crash point per run, every crash point in turn. Its own file
 * so that Jest runs this long enumeration beside the rest of the suite.
 */
import { CHECKED, failureModeHelpers } from './failure-modes-fixtures';
import {
  ReleaseWorld,
  isPrefix,
  ruleWrites,
  type FakeGeneration,
  type ReleaseSettings,
} from './fake-aws';

let world: ReleaseWorld;

beforeEach(() => {
  world = new ReleaseWorld();
});

afterEach(() => {
  world.dispose();
});

const { trace, drive, forwardsOnlyTo, liveA } = failureModeHelpers(() => world);

describe('5. the Lambda dies or times out between any two steps', () => {
  // Two steps, bake and drain, under an alarm: every phase of a release in about 40 calls.
  const SETTINGS: ReleaseSettings = { strategy: 'LINEAR', stepPercent: 50, stepIntervalSeconds: 60, bakeSeconds: 60, drainSeconds: 30, alarmNames: ['Web-5xx'] };

  async function releaseWorld(): Promise<{ a: FakeGeneration; b: FakeGeneration }> {
    world.dispose();
    world = new ReleaseWorld();
    const a = await liveA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    return { a, b: world.generation('b') };
  }

  /** The crash-free release: its rule writes and how many AWS calls its polls make. */
  async function baseline(): Promise<{ writes: string[]; calls: number }> {
    const { b } = await releaseWorld();
    const from = world.fake.elbv2.ruleChanges.length;
    // A rule that never fires counts the calls faults see (not the re-entry polls').
    const counter = world.fake.faults.add({ kind: 'crash-after', times: 0 });
    const result = await world.update(b, SETTINGS, CHECKED);
    expect(result.status).toBe('SUCCESS');
    return { writes: ruleWrites(world.fake, from), calls: counter.matched };
  }

  test('a release: crash before and after each of its AWS calls; CloudFormation\'s rollback restores the old generation, and no step ever runs twice', async () => {
    const clean = await baseline();
    expect(clean.writes).toEqual(['a:100 b:0', 'a:50 b:50', 'a:0 b:100', 'b:100']);
    expect(clean.calls).toBeGreaterThan(30);
    const problems: string[] = [];
    let reverted = 0;

    const crashAndRecover = async (kind: 'crash-before' | 'crash-after', k: number): Promise<void> => {
      const { a, b } = await releaseWorld();
      const from = world.fake.elbv2.ruleChanges.length;
      world.fake.faults.add({ kind, skip: k, times: 1 });
      const failed = await world.update(b, SETTINGS, CHECKED);
      const where = `${kind} call #${k} (${failed.crashedAt ?? 'no crash'})`;
      if (failed.status !== 'FAILED' || !failed.reason?.includes('Task timed out after 120.00 seconds')) {
        problems.push(`${where}: the request ended ${failed.status} (${failed.reason ?? ''})`);
        return;
      }
      // Up to the crash, the rule went through a prefix of the crash-free run's states.
      const written = ruleWrites(world.fake, from);
      if (!isPrefix(written, clean.writes)) {
        problems.push(`${where}: rule writes ${JSON.stringify(written)} are not a prefix of ${JSON.stringify(clean.writes)}`);
      }
      const committed = world.rule() !== undefined && forwardsOnlyTo(b);

      // CloudFormation rolls back: the old properties, a new request.
      const t = trace();
      const rollback = await world.cloudFormationRollback(drive(t));
      if (rollback.status !== 'SUCCESS' || !forwardsOnlyTo(a)) {
        problems.push(`${where}: CloudFormation's rollback ended ${rollback.status} (${rollback.reason ?? ''}) with the rule at ${t.last?.rule}`);
        return;
      }
      if (committed) {
        // The crash came after the cutover took effect: b serves alone and healthy, and a
        // (out of the rule since, so unchecked) comes back health-gated, as a revert does.
        reverted++;
        if (rollback.data?.Outcome !== 'REVERTED' || !t.samples.every((s) => s.shares.a === 100 || s.shares.b === 100)) {
          problems.push(`${where}: after the cutover the rollback should revert health-gated; got ${rollback.data?.Outcome}, rule ${JSON.stringify(t.samples.map((s) => s.rule))}`);
        }
      } else if (t.samples[0].rule !== 'a:100') {
        problems.push(`${where}: the rollback's first poll left the rule at ${t.samples[0].rule}`);
      }
      // Whatever the crash left, the next release runs exactly like a crash-free one.
      const c = world.generation('c');
      const before = world.fake.elbv2.ruleChanges.length;
      const again = await world.update(c, SETTINGS, CHECKED);
      const expected = clean.writes.map((w) => w.replace(/b:/g, 'c:'));
      if (again.status !== 'SUCCESS' || JSON.stringify(ruleWrites(world.fake, before)) !== JSON.stringify(expected)) {
        problems.push(`${where}: the next release ended ${again.status} (${again.reason ?? ''}) after writes ${JSON.stringify(ruleWrites(world.fake, before))}`);
      }
    };

    for (const kind of ['crash-before', 'crash-after'] as const) {
      for (let k = 0; k < clean.calls; k++) {
        // An invariant broken at any tick of any of the three drives is a problem too.
        await crashAndRecover(kind, k).catch((error: Error) => problems.push(`${kind} call #${k}: ${error.message.split('\n')[0]}`));
      }
    }

    expect(problems).toEqual([]);
    // Some crashes did land after the cutover (the commit write, or the saves after it).
    expect(reverted).toBeGreaterThan(0);
  });

  test('a first release: crash before and after each of its AWS calls; CloudFormation\'s Delete leaves nothing behind', async () => {
    const count = async (): Promise<number> => {
      const counter = world.fake.faults.add({ kind: 'crash-after', times: 0 });
      expect((await world.create(world.generation('a'), {}, CHECKED)).status).toBe('SUCCESS');
      return counter.matched;
    };
    const calls = await count();
    const problems: string[] = [];
    for (const kind of ['crash-before', 'crash-after'] as const) {
      for (let k = 0; k < calls; k++) {
        world.dispose();
        world = new ReleaseWorld();
        const a = world.generation('a');
        world.fake.faults.add({ kind, skip: k, times: 1 });
        const created = await world.create(a, {}, CHECKED);
        const where = `${kind} call #${k} (${created.crashedAt ?? 'no crash'})`;
        if (created.status !== 'FAILED') {
          problems.push(`${where}: the Create ended ${created.status}`);
          continue;
        }
        const deleted = await world.delete();
        world.fake.deleteGeneration(a);
        if (deleted.status !== 'SUCCESS' || world.fake.elbv2.rulesOf(world.listenerArn).length > 0 || world.fake.stateItems() > 0) {
          problems.push(`${where}: after the Delete ${world.fake.elbv2.rulesOf(world.listenerArn).length} rule(s) and ${world.fake.stateItems()} parameter(s) are left`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
