/**
 * Overlapping polls (issue 11, item 2). CloudFormation cancels an update mid-shift and sends
 * its rollback while the cancelled request's waiter still polls: on AWS the two isComplete
 * invocations run at the same time. Here they run interleaved at every AWS call (every HTTP
 * request the real SDK clients send, retries included), in orders chosen by fast-check from
 * a fixed seed (FC_SEED and FC_PATH replay a failure), with random transient faults, and the
 * invariants are checked after every single call:
 * - once the rollback request has claimed the deployment, the cancelled request's poll makes
 *   no write: no rule change, no capacity change, no state change;
 * - the rollback ends with the old generation taking all traffic, and nothing changes that
 *   afterwards.
 * The same exploration with the fence switched off (the fake's DynamoDB ignoring conditions)
 * must find the bug, so the property is known to be able to fail.
 */
import * as fc from 'fast-check';
import { LOGICAL_ID, ReleaseWorld, STACK_ID, interleave, propertyRuns, referencedGroups, trafficShares, type FakeGeneration, type LambdaContext } from './fake-aws';
import { handler as isComplete } from '../../src/handlers/release-controller/is-complete.lambda';
import { handler as onEvent } from '../../src/handlers/release-controller/on-event.lambda';
import type { ReleaseRequest } from '../../src/handlers/release-controller/request';

const SEED = Number(process.env.FC_SEED ?? 20261205);
const PATH = process.env.FC_PATH;
// `npm run test:deep` plays 60 runs.
const RUNS = propertyRuns(20, 60);
// A budget for a busy CI machine (about 30 s alone), not a timing check.
const PROPERTY_TIMEOUT_MS = 900_000;

// Calls that change the world outside the state table.
const WRITES = /ModifyRule|CreateRule|DeleteRule|SetRulePriorities|SetDesiredCapacity/;

interface Setup {
  readonly world: ReleaseWorld;
  readonly a: FakeGeneration;
  readonly b: FakeGeneration;
  readonly stale: ReleaseRequest;
  readonly rollback: ReleaseRequest;
}

/**
 * Generation a live, a canary release of b at 50 % whose waiter timed out (the update was
 * cancelled), its next step due; then CloudFormation's rollback request, through onEvent.
 */
async function cancelledCanary(seed: number): Promise<Setup> {
  const world = new ReleaseWorld({ seed });
  const a = world.generation('a', { minSize: 2 });
  expect((await world.create(a)).status).toBe('SUCCESS');
  const b = world.generation('b');
  const cancelled = await world.update(b, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 120, alarmNames: [] }, { totalTimeoutSeconds: 100 });
  expect(cancelled.status).toBe('TIMED_OUT');
  expect(trafficShares(world.rule()!.actions).get(b.targetGroupArn)).toBe(50);
  // The stale waiter's next poll comes when its 100 % step is due.
  world.fake.advance(130);
  const properties = world.properties(a, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 120 }) as unknown as Record<string, unknown>;
  const request: ReleaseRequest = {
    RequestType: 'Update',
    RequestId: world.fake.newRequestId(),
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::ImmutableRelease',
    PhysicalResourceId: world.physicalResourceId,
    ResourceProperties: properties,
    OldResourceProperties: world.properties(b) as unknown as Record<string, unknown>,
  };
  const answer = await onEvent(request);
  return { world, a, b, stale: cancelled.request!, rollback: { ...request, ...answer } };
}

function forwardsOnlyTo(world: ReleaseWorld, generation: FakeGeneration): boolean {
  const rule = world.rule();
  return rule !== undefined && referencedGroups(rule.actions).length === 1 && trafficShares(rule.actions).get(generation.targetGroupArn) === 100;
}

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  choices: fc.array(fc.nat({ max: 1 }), { minLength: 40, maxLength: 40 }),
  throttle: fc.constantFrom(0, 0, 0.1, 0.3),
  lost: fc.constantFrom(0, 0, 0.1),
});

/** One interleaving; returns the violations found (empty when every invariant held). */
async function explore(p: { seed: number; choices: number[]; throttle: number; lost: number }, fenceOff = false): Promise<string[]> {
  const { world, a, stale, rollback } = await cancelledCanary(p.seed);
  try {
    world.fake.dynamoDb.ignoreConditions = fenceOff;
    world.fake.faults.add({ kind: 'throttle', probability: p.throttle });
    world.fake.faults.add({ kind: 'lost-response', probability: p.lost });
    const problems: string[] = [];
    const callsBefore = world.fake.calls.length;
    let claimedAt: number | undefined;
    let completedAt: number | undefined;
    let stateAtCompletion: string | undefined;
    const polls = [(c: LambdaContext) => isComplete(stale, c), (c: LambdaContext) => isComplete(rollback, c)];
    const choose = (waiting: readonly number[], step: number) => waiting[p.choices[step % p.choices.length] % waiting.length];
    const run = await interleave(world.fake, polls, choose, (_step, index, ids) => {
      const state = world.state();
      if (claimedAt === undefined && state?.deploymentId === rollback.RequestId) {
        claimedAt = world.fake.calls.length;
      }
      if (claimedAt !== undefined) {
        const staleWrites = world.fake.calls.slice(claimedAt).filter((c) => c.invocation === ids[0] && WRITES.test(c.operation) && c.outcome === 'ok');
        if (staleWrites.length > 0) {
          problems.push(`step ${index}: the cancelled request's poll wrote ${staleWrites.map((c) => c.operation).join(', ')} after the rollback claimed the deployment`);
        }
      }
      if (completedAt !== undefined && (!forwardsOnlyTo(world, a) || world.fake.stateValue(world.stateKey) !== stateAtCompletion)) {
        problems.push(`step ${index}: after the rollback completed the rule forwards ${JSON.stringify([...trafficShares(world.rule()?.actions ?? [])])} and the state changed`);
      }
    });
    // The waiters poll again (10 s later) until the rollback completes; the stale one only once more.
    let outcome = run.outcomes[1];
    for (let poll = 0; poll < 30 && !(outcome.kind === 'returned' && outcome.value.IsComplete); poll++) {
      if (outcome.kind !== 'returned') {
        problems.push(`the rollback's poll ${poll} ${outcome.kind}: ${outcome.kind === 'threw' ? String(outcome.error) : ''}`);
        break;
      }
      world.fake.advance(10);
      outcome = await world.fake.runInvocation((c) => isComplete(rollback, c));
    }
    completedAt = world.fake.calls.length;
    stateAtCompletion = world.fake.stateValue(world.stateKey);
    world.fake.faults.clear();
    world.fake.advance(10);
    await world.fake.runInvocation((c) => isComplete(stale, c));
    if (!forwardsOnlyTo(world, a)) {
      problems.push(`in the end the rule forwards ${JSON.stringify([...trafficShares(world.rule()?.actions ?? [])].map(([arn, share]) => [arn.split('/')[1], share]))}, not all to a`);
    }
    if (world.fake.stateValue(world.stateKey) !== stateAtCompletion) {
      problems.push('a poll of the cancelled request changed the state after the rollback completed');
    }
    if (world.fake.calls.slice(callsBefore).length === 0) {
      problems.push('nothing ran');
    }
    return problems;
  } finally {
    world.dispose();
  }
}

describe('overlapping polls of a cancelled update and its rollback', () => {
  test(`every interleaving of the two polls at every AWS call keeps the fence (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (p) => {
        expect(await explore(p)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, ...(PATH ? { path: PATH } : {}), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT_MS);

  test('with the fence switched off (the state table ignoring conditions), the same exploration finds the bug', async () => {
    const result = await fc.check(
      fc.asyncProperty(scenario, async (p) => (await explore(p, true)).length === 0),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  }, PROPERTY_TIMEOUT_MS);
});
