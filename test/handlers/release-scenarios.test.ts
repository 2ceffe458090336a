import * as fc from 'fast-check';
import {
  FAKE_CONTROLLER_TAG,
  LOGICAL_ID,
  RESPONSE_CODE_MISMATCH,
  ReleaseWorld,
  STANDARD_INVARIANTS,
  noTrafficToEmptyTargetGroup,
  singleTargetWhenSettled,
  driveRelease,
  propertyRuns,
  STACK_ID,
  referencedGroups,
  trafficShares,
  type DriveResult,
  type FakeGeneration,
  type TickHookContext,
} from './fake-aws';
import { handler as isComplete } from '../../src/handlers/release-controller/is-complete.lambda';
import { setLogSink } from '../../src/handlers/release-controller/log';
import { handler as onEvent } from '../../src/handlers/release-controller/on-event.lambda';
import type { ReleaseRequest } from '../../src/handlers/release-controller/request';

/** One observation of the rule after a poll. */
interface Sample {
  readonly tick: number;
  /** Seconds since the drive started. */
  readonly at: number;
  /** Percent of traffic per generation key; empty when there is no rule. */
  readonly shares: Record<string, number>;
  /** Generation keys the rule references (at any weight). */
  readonly referenced: string[];
  readonly sticky: boolean;
  readonly phase?: string;
  readonly warmUp: boolean;
  /** Healthy targets per generation key. */
  readonly healthy: Record<string, number>;
}

/** Records the rule after every poll of a drive. */
function recorder(world: ReleaseWorld, generations: FakeGeneration[]) {
  const samples: Sample[] = [];
  const keyOf = (arn: string) => generations.find((g) => g.targetGroupArn === arn)?.key ?? arn;
  return {
    samples,
    afterTick: (context: TickHookContext) => {
      const rule = world.rule();
      const shares: Record<string, number> = {};
      for (const [arn, share] of trafficShares(rule?.actions ?? [])) {
        shares[keyOf(arn)] = share;
      }
      samples.push({
        tick: context.tick,
        at: context.elapsedSeconds,
        shares,
        referenced: referencedGroups(rule?.actions ?? []).map(keyOf),
        sticky: (rule?.actions ?? []).some((a) => a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled === true),
        phase: world.state()?.phase,
        warmUp: (rule?.conditions ?? []).some((c) => c.Field === 'http-header'),
        healthy: Object.fromEntries(generations.map((g) => [g.key, world.fake.elbv2.healthyCount(g.targetGroupArn)])),
      });
    },
    /** The distinct percentages `key` had, in order. */
    steps(key: string): number[] {
      const out: number[] = [];
      for (const sample of samples) {
        const share = sample.shares[key] ?? 0;
        if (out[out.length - 1] !== share) {
          out.push(share);
        }
      }
      return out;
    },
    /** When `key` first had at least `percent` (seconds since the drive started). */
    firstAt(key: string, percent: number): number {
      const sample = samples.find((s) => (s.shares[key] ?? 0) >= percent);
      if (!sample) {
        throw new Error(`${key} never reached ${percent} %`);
      }
      return sample.at;
    },
  };
}

function steps(result: DriveResult): string[] {
  return result.events.map((e) => String(e.detail.step));
}

function forwardsOnlyTo(world: ReleaseWorld, generation: FakeGeneration): boolean {
  const rule = world.rule();
  return rule !== undefined
    && referencedGroups(rule.actions).length === 1
    && trafficShares(rule.actions).get(generation.targetGroupArn) === 100;
}

// Outcomes of calls that took effect (a lost response or a crash after the call still applied it).
const APPLIED = new Set(['ok', 'lost-response', 'crash-after']);

/**
 * ModifyRule calls that took effect, per distinct action list: a step written twice is a
 * double shift. Counted per SDK call: the SDK's retry of a write whose response was lost
 * sends the same write again, which is one write.
 */
function writesPerSplit(result: DriveResult): number[] {
  const calls = new Map<string, Set<string>>();
  for (const call of result.calls.filter((c) => c.operation === 'elbv2:ModifyRule' && APPLIED.has(c.outcome))) {
    const key = JSON.stringify((call.input as { Actions?: unknown }).Actions);
    calls.set(key, (calls.get(key) ?? new Set()).add(call.sdkCallId));
  }
  return [...calls.values()].map((ids) => ids.size);
}

let world: ReleaseWorld;

beforeEach(() => {
  world = new ReleaseWorld();
});

afterEach(() => {
  world.dispose();
});

/** Create generation a and release it; most tests start from there. */
async function liveGenerationA(minSize = 2): Promise<FakeGeneration> {
  const a = world.generation('a', { minSize });
  const result = await world.create(a);
  expect(result.status).toBe('SUCCESS');
  return a;
}

describe('first release', () => {
  test('sizes the first generation, creates the rule only once it is healthy, and reports the attributes', async () => {
    const a = world.generation('a', { minSize: 2 });
    const trace = recorder(world, [a]);
    const healthyWhenActive: number[] = [];

    const result = await world.create(a, { desiredCapacity: 3 }, {
      afterTick: (context) => {
        trace.afterTick(context);
        const rule = world.rule();
        if (rule && !rule.conditions.some((c) => c.Field === 'http-header')) {
          healthyWhenActive.push(world.fake.elbv2.healthyCount(a.targetGroupArn));
        }
      },
    });

    expect(result.status).toBe('SUCCESS');
    expect(result.physicalResourceId).toMatch(/^immutable-release:Web:[0-9a-f]{12}$/);
    expect(result.data).toEqual({
      LiveGeneration: 'a',
      LiveTargetGroupArn: a.targetGroupArn,
      PreviousGeneration: '',
      DeploymentId: result.requestId,
      Outcome: 'RELEASED',
      RuleArn: world.rule()!.arn,
    });
    // DesiredCapacity 3 over MinCapacity 2: the controller sets it, the template does not.
    expect(world.fake.autoScaling.groups.get(a.autoScalingGroupName)!.desired).toBe(3);
    expect(result.calls.filter((c) => c.operation === 'autoscaling:SetDesiredCapacity').map((c) => c.input))
      .toEqual([{ AutoScalingGroupName: a.autoScalingGroupName, DesiredCapacity: 3, HonorCooldown: false }]);
    // The rule existed before (so the load balancer health-checked the group) but matched no
    // request until all three targets were healthy.
    expect(trace.samples.some((s) => s.warmUp)).toBe(true);
    expect(healthyWhenActive.length).toBeGreaterThan(0);
    expect(Math.min(...healthyWhenActive)).toBe(3);
    const rule = world.rule()!;
    expect(rule.priority).toBe(100);
    expect(rule.conditions).toEqual([{ Field: 'path-pattern', Values: ['/*'], PathPatternConfig: { Values: ['/*'] } }]);
    expect(forwardsOnlyTo(world, a)).toBe(true);
    expect(steps(result)).toEqual(['STARTED', 'SIZED', 'ATTACHED', 'HEALTHY', 'COMMITTED']);
    expect(result.events.every((e) => e.source === 'cdk-immutable-infra' && e.detailType === 'Immutable Release Step')).toBe(true);
    expect(world.state()).toMatchObject({ phase: 'COMMITTED', live: { key: 'a' }, outcome: 'RELEASED' });
    // Every isComplete log record carries the request it belongs to.
    const isCompleteLogs = world.fake.logs.filter((l) => l.handler === 'isComplete');
    expect(isCompleteLogs.length).toBeGreaterThan(0);
    expect(isCompleteLogs.every((l) => l.requestId === result.requestId && l.physicalResourceId === result.physicalResourceId)).toBe(true);
    expect(isCompleteLogs.some((l) => l.message === 'waiting for healthy targets' && l.needed === 3)).toBe(true);
  });

  test('an update that changes nothing the controller acts on is a fast no-op', async () => {
    const a = await liveGenerationA();
    const result = await world.update(a, { bakeSeconds: 900 });
    expect(result.status).toBe('SUCCESS');
    expect(result.ticks).toHaveLength(1);
    expect(result.data).toMatchObject({ LiveGeneration: 'a', Outcome: 'UNCHANGED', PreviousGeneration: '' });
    expect(result.calls.filter((c) => /ModifyRule|CreateRule|SetDesiredCapacity/.test(c.operation))).toEqual([]);
  });
});

describe('rule shape and recovery', () => {
  test('an update that changes the priority and conditions applies them, and CloudFormation\'s rollback puts them back', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const conditions = [{ Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com'] } }];
    // b's instances are not even InService within 30 s: the release fails after reshaping the rule.
    const failed = await world.update(b, { priority: 40, conditions, healthTimeoutSeconds: 30 });
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toContain('generation b did not become healthy within 30 s: 0 of 0 targets in web-b healthy; 2 needed');
    expect(world.rule()).toMatchObject({ priority: 40, conditions: [{ Field: 'host-header', Values: ['www.example.com'] }] });
    expect(forwardsOnlyTo(world, a)).toBe(true);

    const rollback = await world.cloudFormationRollback();
    expect(rollback.status).toBe('SUCCESS');
    expect(rollback.data).toMatchObject({ Outcome: 'UNCHANGED', LiveGeneration: 'a' });
    expect(world.rule()).toMatchObject({ priority: 100, conditions: [{ Field: 'path-pattern', Values: ['/*'] }] });
    expect(rollback.calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['elbv2:SetRulePriorities', 'elbv2:ModifyRule']));
  });

  test('state deleted by hand: the next update finds the live generation from the rule and releases normally', async () => {
    const a = await liveGenerationA();
    world.fake.clearState();
    const b = world.generation('b');
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 60 });
    expect(result.status).toBe('SUCCESS');
    expect(result.data).toMatchObject({ LiveGeneration: 'b', PreviousGeneration: 'a', Outcome: 'RELEASED' });
    expect(world.fake.logs.some((l) => l.message.startsWith('release state missing; recovered the live generation'))).toBe(true);
    expect(forwardsOnlyTo(world, b)).toBe(true);
    expect(() => world.fake.deleteGeneration(a)).not.toThrow();
  });

  test('moving the deployment to another listener in place fails before touching anything', async () => {
    const a = await liveGenerationA();
    const ruleBefore = JSON.stringify(world.rule());
    const otherListener = world.fake.elbv2.createListener('other');
    const properties = { ...world.properties(a), ListenerArn: otherListener };
    const result = await world.updateWith(properties);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain(`moving it to ${otherListener} in place is not supported`);
    expect(JSON.stringify(world.rule())).toBe(ruleBefore);
    expect(world.fake.elbv2.rulesOf(otherListener)).toEqual([]);
    expect((await world.cloudFormationRollback()).status).toBe('SUCCESS');
  });
});

describe('traffic strategies', () => {
  test('canary: sizes like the live fleet, 10 % for the interval, then 100 %, bakes, drains and commits', async () => {
    const a = await liveGenerationA(2);
    // The live fleet scaled out since its release; the new one must match it, not MinCapacity.
    world.fake.autoScaling.updateAutoScalingGroup({ AutoScalingGroupName: a.autoScalingGroupName, DesiredCapacity: 3 });
    const b = world.generation('b', { minSize: 1 });
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 300, bakeSeconds: 600, drainSeconds: 300 }, trace);

    expect(result.status).toBe('SUCCESS');
    expect(result.data).toMatchObject({ LiveGeneration: 'b', LiveTargetGroupArn: b.targetGroupArn, PreviousGeneration: 'a', Outcome: 'RELEASED' });
    expect(world.fake.autoScaling.groups.get(b.autoScalingGroupName)!.desired).toBe(3);
    expect(trace.steps('b')).toEqual([0, 10, 100]);
    expect(trace.firstAt('b', 100) - trace.firstAt('b', 10)).toBeGreaterThanOrEqual(300);
    // b got traffic only with all three targets healthy.
    expect(trace.samples.find((s) => (s.shares.b ?? 0) > 0)?.healthy.b).toBe(3);
    expect(result.elapsedSeconds - trace.firstAt('b', 100)).toBeGreaterThanOrEqual(600);
    expect(forwardsOnlyTo(world, b)).toBe(true);
    expect(steps(result)).toEqual(['STARTED', 'SIZED', 'ATTACHED', 'HEALTHY', 'SHIFTED', 'SHIFTED', 'BAKED', 'DRAINED', 'COMMITTED']);
    expect(result.events.filter((e) => e.detail.step === 'SHIFTED').map((e) => e.detail.candidatePercent)).toEqual([10, 100]);
    // CloudFormation's cleanup can delete the old generation: no rule references it any more.
    expect(() => world.fake.deleteGeneration(a)).not.toThrow();
  });

  test('linear: 25 % more every interval until 100 %', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'LINEAR', stepPercent: 25, stepIntervalSeconds: 120, bakeSeconds: 120 }, trace);

    expect(result.status).toBe('SUCCESS');
    expect(trace.steps('b')).toEqual([0, 25, 50, 75, 100]);
    expect(trace.steps('a')).toEqual([100, 75, 50, 25, 0]);
    const times = [25, 50, 75, 100].map((p) => trace.firstAt('b', p));
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(120);
    }
    expect(forwardsOnlyTo(world, b)).toBe(true);
  });

  test('all at once: 100 % in one step, then the old group waits at weight 0 for DrainSeconds before cutover', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'ALL_AT_ONCE', bakeSeconds: 60, drainSeconds: 180 }, trace);

    expect(result.status).toBe('SUCCESS');
    expect(trace.steps('b')).toEqual([0, 100]);
    // Drain (180 s) outlasts bake (60 s): the old group stays referenced at weight 0 that long.
    const full = trace.firstAt('b', 100);
    const lastWithA = [...trace.samples].reverse().find((s) => s.referenced.includes('a'))!;
    expect(lastWithA.at - full).toBeGreaterThanOrEqual(170);
    expect(forwardsOnlyTo(world, b)).toBe(true);
  });

  test('stickiness: steps that split traffic pin clients for StickinessSeconds; the 0 % and 100 % steps and the committed rule do not', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 20, stepIntervalSeconds: 60, stickinessSeconds: 3600 }, trace);

    expect(result.status).toBe('SUCCESS');
    const split = trace.samples.filter((s) => (s.shares.a ?? 0) > 0 && (s.shares.b ?? 0) > 0);
    expect(split.length).toBeGreaterThan(0);
    expect(split.every((s) => s.sticky)).toBe(true);
    // Sticky at 0 % would pin every client to a for the canary; at 100 %, keep a's through the bake.
    const whole = trace.samples.filter((s) => s.referenced.length === 2 && ((s.shares.a ?? 0) === 0 || (s.shares.b ?? 0) === 0));
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.some((s) => s.sticky)).toBe(false);
    const stickyWrite = result.calls.find((c) => c.operation === 'elbv2:ModifyRule' && JSON.stringify(c.input).includes('TargetGroupStickinessConfig'));
    expect(JSON.stringify(stickyWrite?.input)).toContain('"DurationSeconds":3600');
    expect(trace.samples[trace.samples.length - 1]).toMatchObject({ referenced: ['b'], sticky: false });
  });
});

describe('rollback', () => {
  test('unhealthy targets: the new generation never gets traffic, and the message names the cause', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b', { instances: { failure: RESPONSE_CODE_MISMATCH } });
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, healthTimeoutSeconds: 300 }, trace);

    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/generation b did not become healthy within 300 s: 0 of 2 targets in web-b healthy/);
    expect(result.reason).toContain('Target.ResponseCodeMismatch: Health checks failed with these codes: [500]');
    expect(result.reason).toContain('all traffic is back on generation a');
    expect(trace.samples.every((s) => (s.shares.b ?? 0) === 0)).toBe(true);
    expect(forwardsOnlyTo(world, a)).toBe(true);
    expect(world.state()).toMatchObject({ phase: 'FAILED', outcome: 'ROLLED_BACK', live: { key: 'a' } });

    // CloudFormation's rollback: a fast no-op, and then it can delete the failed generation.
    const rollback = await world.cloudFormationRollback();
    expect(rollback.status).toBe('SUCCESS');
    expect(rollback.ticks).toHaveLength(1);
    expect(rollback.data).toMatchObject({ LiveGeneration: 'a', Outcome: 'UNCHANGED' });
    expect(() => world.fake.deleteGeneration(b)).not.toThrow();
  });

  test('an alarm mid-shift: the old generation has 100 % again within one poll, and CloudFormation\'s rollback is a fast no-op', async () => {
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    world.fake.cloudWatch.putAlarm('Web-Latency', { type: 'CompositeAlarm' });
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);
    let alarmAt: number | undefined;

    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 20, stepIntervalSeconds: 300, alarmNames: ['Web-5xx', 'Web-Latency'] }, {
      afterTick: (context) => {
        trace.afterTick(context);
        if (alarmAt === undefined && (trace.samples[trace.samples.length - 1].shares.b ?? 0) > 0) {
          alarmAt = context.elapsedSeconds + 95;
          world.fake.after(95, 'errors on the new generation', () => world.fake.cloudWatch.setAlarmState('Web-Latency', 'ALARM', 'p99 above 2 s'));
        }
      },
    });

    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('rollback alarm Web-Latency is in ALARM (p99 above 2 s)');
    expect(result.reason).toContain('all traffic is back on generation a');
    // The first poll at or after the alarm is the one that restores a.
    const firstPollAfterAlarm = trace.samples.find((s) => s.at >= alarmAt!)!;
    expect(firstPollAfterAlarm.shares).toEqual({ a: 100 });
    expect(trace.samples[trace.samples.length - 1]).toBe(firstPollAfterAlarm);
    expect(trace.steps('b')).toEqual([0, 20, 0]);
    expect(steps(result).slice(-1)).toEqual(['ROLLED_BACK']);

    const rollback = await world.cloudFormationRollback();
    expect(rollback.status).toBe('SUCCESS');
    expect(rollback.ticks).toHaveLength(1);
    expect(rollback.data).toMatchObject({ LiveGeneration: 'a', Outcome: 'UNCHANGED', LiveTargetGroupArn: a.targetGroupArn });
    expect(rollback.calls.filter((c) => /ModifyRule|CreateRule|DeleteRule|SetDesiredCapacity/.test(c.operation))).toEqual([]);
    expect(() => world.fake.deleteGeneration(b)).not.toThrow();
  });

  test('CloudFormation rolls back a release that succeeded: the previous generation takes all traffic back at once', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const released = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 300 });
    expect(released.status).toBe('SUCCESS');
    const desiredA = world.fake.autoScaling.groups.get(a.autoScalingGroupName)!.desired;
    const trace = recorder(world, [a, b]);

    // Another resource in the same stack update failed: CloudFormation sends the old properties.
    const rollback = await world.cloudFormationRollback(trace);

    expect(rollback.status).toBe('SUCCESS');
    expect(rollback.data).toMatchObject({ LiveGeneration: 'a', LiveTargetGroupArn: a.targetGroupArn, PreviousGeneration: 'b', Outcome: 'REVERTED' });
    // No slow shift: a goes from 0 straight to 100 % once its targets pass health checks again
    // (its group left the rule at commit, so the load balancer had stopped checking it).
    expect(trace.steps('a')).toEqual([0, 100]);
    expect(rollback.elapsedSeconds).toBeLessThan(60);
    expect(forwardsOnlyTo(world, a)).toBe(true);
    expect(world.fake.autoScaling.groups.get(a.autoScalingGroupName)!.desired).toBe(desiredA);
    expect(() => world.fake.deleteGeneration(b)).not.toThrow();
  });

  test('launch failures fail fast with the Auto Scaling activity\'s own message', async () => {
    const a = await liveGenerationA();
    const message = 'The image id \'[ami-0123456789abcdef0]\' does not exist. Launching EC2 instance failed.';
    const b = world.generation('b', { launchFailure: message });
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { healthTimeoutSeconds: 900 }, trace);

    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain(`instances of generation b fail to launch (Auto Scaling group ${b.autoScalingGroupName}): ${message}`);
    expect(result.elapsedSeconds).toBeLessThanOrEqual(30);
    expect(trace.samples.every((s) => (s.shares.b ?? 0) === 0)).toBe(true);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  test('the new generation loses its healthy targets mid-shift: restore, and say so', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    let broken = false;
    const result = await world.update(b, { strategy: 'LINEAR', stepPercent: 20, stepIntervalSeconds: 120 }, {
      beforeTick: () => {
        const rule = world.rule();
        if (!broken && rule && (trafficShares(rule.actions).get(b.targetGroupArn) ?? 0) >= 40) {
          broken = true;
          world.fake.autoScaling.failInstances(b.autoScalingGroupName, { failure: { reason: 'Target.Timeout', description: 'Request timed out' } });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/generation b has no healthy targets left: 0 of 2 targets in web-b healthy; i-\w+ unhealthy \(Target.Timeout: Request timed out\)/);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  test('someone edits the rule\'s weights mid-shift: abort, restore the old generation, say so', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    let edited = false;
    const result = await world.update(b, { strategy: 'LINEAR', stepPercent: 10, stepIntervalSeconds: 60 }, {
      beforeTick: () => {
        const rule = world.rule();
        if (!edited && rule && (trafficShares(rule.actions).get(b.targetGroupArn) ?? 0) === 30) {
          edited = true;
          world.fake.elbv2.operatorModifyRule(rule.arn, [{
            Type: 'forward',
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: a.targetGroupArn, Weight: 50 }, { TargetGroupArn: b.targetGroupArn, Weight: 50 }] },
          }]);
        }
      },
    });
    expect(edited).toBe(true);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('was changed outside the release controller: it forwards web-a 50 %, web-b 50 %, but the controller last wrote web-a 70 %, web-b 30 %');
    expect(result.reason).toContain('all traffic is back on generation a');
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  test('the deadline passes: restore the old generation and fail; later polls change nothing', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const result = await world.update(b, { strategy: 'LINEAR', stepPercent: 10, stepIntervalSeconds: 300, deadlineSeconds: 1200 });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/did not finish within its deadline of 1200 s \(it was in phase SHIFTING\); all traffic is back on generation a$/);
    expect(result.elapsedSeconds).toBeGreaterThanOrEqual(1200);
    expect(result.elapsedSeconds).toBeLessThan(1200 + 10 + 1);
    expect(forwardsOnlyTo(world, a)).toBe(true);

    // A late poll of the same request (the waiter retrying) repeats the verdict and touches nothing.
    const late: ReleaseRequest = {
      RequestType: 'Update',
      RequestId: result.requestId,
      StackId: STACK_ID,
      LogicalResourceId: LOGICAL_ID,
      ResourceType: 'Custom::ImmutableRelease',
      PhysicalResourceId: world.physicalResourceId,
      ResourceProperties: world.properties(b, { strategy: 'LINEAR', stepPercent: 10, stepIntervalSeconds: 300, deadlineSeconds: 1200 }) as unknown as Record<string, unknown>,
    };
    const callsBefore = world.fake.calls.length;
    world.fake.advance(600);
    await expect(world.fake.runInvocation(() => isComplete(late))).resolves.toMatchObject({ kind: 'threw' });
    expect(world.fake.calls.slice(callsBefore).map((c) => c.operation)).toEqual(['dynamodb:GetItem']);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });
});

describe('delete', () => {
  test('removes the rule and the state, and leaves nothing that blocks CloudFormation deleting the generations', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    expect((await world.update(b)).status).toBe('SUCCESS');

    const result = await world.delete();

    expect(result.status).toBe('SUCCESS');
    expect(result.ticks).toHaveLength(1);
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toEqual([]);
    expect(world.fake.stateItems()).toBe(0);
    expect(steps(result)).toEqual(['DELETED']);
    // CloudFormation deletes the generations after the release resource (it depends on them).
    expect(() => world.fake.deleteGeneration(b)).not.toThrow();
    expect(() => world.fake.deleteGeneration(a)).not.toThrow();
    expect(world.fake.elbv2.targetGroups.size).toBe(0);
    expect(world.fake.autoScaling.groups.size).toBe(0);
  });

  test('deleting after a failed first release removes its warm-up rule', async () => {
    const a = world.generation('a', { launchFailure: 'We currently do not have sufficient t3.small capacity in the Availability Zone you requested (us-east-1a).' });
    const created = await world.create(a, { healthTimeoutSeconds: 120 });
    expect(created.status).toBe('FAILED');
    expect(created.reason).toContain('We currently do not have sufficient t3.small capacity');
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toHaveLength(1);

    // CloudFormation rolls the failed Create back with a Delete of the same resource.
    const deleted = await world.delete({});
    expect(deleted.status).toBe('SUCCESS');
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toEqual([]);
    expect(world.fake.stateItems()).toBe(0);
    expect(() => world.fake.deleteGeneration(a)).not.toThrow();
  });
});

describe('ownership', () => {
  test('a second release resource that reuses the deployment name (its state key) fails, and its Delete leaves the first one alone', async () => {
    const a = await liveGenerationA();
    const ruleBefore = JSON.stringify(world.rule());
    const stateBefore = world.fake.stateValue(world.stateKey);
    const intruder = await driveRelease({ fake: world.fake, requestType: 'Create', properties: world.properties(a, { priority: 200 }), logicalResourceId: 'OtherRelease' });
    expect(intruder.status).toBe('FAILED');
    expect(intruder.reason).toContain(`the release state of deployment ${world.stateKey} belongs to another release resource (${world.physicalResourceId})`);

    // CloudFormation rolls the failed Create back with a Delete.
    const removed = await driveRelease({
      fake: world.fake,
      requestType: 'Delete',
      properties: world.properties(a, { priority: 200 }),
      physicalResourceId: intruder.physicalResourceId,
      logicalResourceId: 'OtherRelease',
    });
    expect(removed.status).toBe('SUCCESS');
    expect(JSON.stringify(world.rule())).toBe(ruleBefore);
    expect(world.fake.stateValue(world.stateKey)).toBe(stateBefore);
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toHaveLength(1);
  });

  test('without state, Delete removes the rule at its priority only if it forwards to its own generation', async () => {
    const a = await liveGenerationA();
    world.fake.clearState();
    const foreign = world.generation('z');
    const ownRule = world.rule() ?? world.fake.elbv2.ruleAtPriority(world.listenerArn, 100)!;
    world.fake.elbv2.operatorModifyRule(ownRule.arn, [{ Type: 'forward', TargetGroupArn: foreign.targetGroupArn }]);
    // The hand-made rule sends traffic to a group with no targets: not the controller's doing.
    expect((await world.delete({ invariants: [] })).status).toBe('SUCCESS');
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toHaveLength(1);

    world.fake.elbv2.operatorModifyRule(ownRule.arn, [{ Type: 'forward', TargetGroupArn: a.targetGroupArn }]);
    expect((await world.delete()).status).toBe('SUCCESS');
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toEqual([]);
  });
});

describe('faults', () => {
  test.each([1, 2, 3, 4, 5])('throttling, 5xx and timeouts on every API never cause a false rollback (seed %i)', async (seed) => {
    world.dispose();
    world = new ReleaseWorld({ seed });
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    world.fake.faults.add({ kind: 'throttle', probability: 0.12 });
    world.fake.faults.add({ kind: 'server-error', probability: 0.03 });
    world.fake.faults.add({ kind: 'timeout', probability: 0.02 });
    world.fake.faults.add({ kind: 'lost-response', probability: 0.02 });
    const trace = recorder(world, [a, b]);

    const result = await world.update(b, { strategy: 'LINEAR', stepPercent: 25, stepIntervalSeconds: 120, alarmNames: ['Web-5xx'] }, trace);

    expect(result.status).toBe('SUCCESS');
    expect(result.data).toMatchObject({ LiveGeneration: 'b', Outcome: 'RELEASED' });
    expect(trace.samples.some((s) => s.phase === 'RESTORING' || s.phase === 'FAILED')).toBe(false);
    expect(trace.steps('b')).toEqual([0, 25, 50, 75, 100]);
    expect(writesPerSplit(result).every((n) => n === 1)).toBe(true);
    const faulted = new Set(result.calls.filter((c) => c.outcome !== 'ok').map((c) => c.operation));
    expect(faulted.size).toBeGreaterThanOrEqual(5);
    expect(forwardsOnlyTo(world, b)).toBe(true);
  });

  test('a throttling storm on every API holds the release and it carries on afterwards', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);
    const start = world.fake.clock.now();
    world.fake.faults.add({ kind: 'throttle', from: start + 150_000, until: start + 450_000 });

    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 120 }, trace);

    expect(result.status).toBe('SUCCESS');
    expect(trace.steps('b')).toEqual([0, 10, 100]);
    // Nothing moved during the storm, and the second step waited for it to pass.
    expect(trace.firstAt('b', 100)).toBeGreaterThanOrEqual(450);
  });

  test('event publishing failures never fail a release', async () => {
    await liveGenerationA();
    const b = world.generation('b');
    world.fake.faults.add({ kind: 'throttle', operation: 'events:*', times: 3 });
    world.fake.faults.add({ kind: 'server-error', operation: 'PutEvents', skip: 3, times: 2 });
    world.fake.eventBridge.rejectEntries = true;
    const result = await world.update(b);
    expect(result.status).toBe('SUCCESS');
    expect(forwardsOnlyTo(world, b)).toBe(true);
    expect(world.fake.logs.some((l) => l.message === 'release step event rejected')).toBe(true);
    expect(world.fake.logs.some((l) => l.message === 'release step event not published')).toBe(true);
  });

  test('a restore that meets throttling retries within the same poll', async () => {
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    const trace = recorder(world, [a, b]);
    let armed = false;
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 300, alarmNames: ['Web-5xx'] }, {
      afterTick: (context) => {
        trace.afterTick(context);
        if (!armed && (trace.samples[trace.samples.length - 1].shares.b ?? 0) > 0) {
          armed = true;
          world.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM');
          // The next four rule writes and lookups are throttled: the restore must push through.
          world.fake.faults.add({ kind: 'throttle', operation: /elbv2:(ModifyRule|DescribeRules)/, skip: 1, times: 4 });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('rollback alarm Web-5xx is in ALARM');
    const restoreTick = trace.samples[trace.samples.length - 1];
    expect(restoreTick.shares).toEqual({ a: 100 });
    expect(trace.samples.filter((s) => (s.shares.b ?? 0) > 0)).toHaveLength(1);
    // Four throttled attempts in a row: the SDK gave up on the first call after three, the
    // controller retried it, and the SDK's retry took the fourth.
    expect(world.fake.calls.filter((c) => c.outcome === 'throttle')).toHaveLength(4);
    expect(world.fake.logs.filter((l) => l.message === 'transient error, retrying').length).toBeGreaterThanOrEqual(1);
  });
});

describe('IAM refusals', () => {
  test('AccessDenied is no transient error: the release stops, restores what it can, and the reason names the refused action', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    // The role cannot modify the rule (say, a rule without the controller's tag): every attempt refused.
    world.fake.faults.add({ kind: 'access-denied', operation: 'elbv2:ModifyRule' });
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 60 });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/AccessDenied: User: .* is not authorized to perform: elbv2:ModifyRule/);
    // Refused once per call: the SDK does not retry a 403.
    expect(world.fake.calls.filter((c) => c.outcome === 'access-denied').every((c) => c.attempt === 1)).toBe(true);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  // A refusal the controller cannot work around leaves the rule split until it is lifted, so
  // these drives check every invariant but that one; CloudFormation's rollback then must restore.
  const SPLIT_ALLOWED = STANDARD_INVARIANTS.filter((i) => i !== singleTargetWhenSettled);
  const RULE_WRITES = /^elbv2:(ModifyRule|CreateRule|DeleteRule|SetRulePriorities)$/;

  test('a state table that refuses writes stops the release where it is, without an unfenced rule write; the reason says where traffic is, and the rollback restores it once the role may write again', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    const canary = { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 60 } as const;
    let refusedFrom: number | undefined;
    let refusal: { remove(): void } | undefined;
    const result = await world.update(b, canary, {
      invariants: SPLIT_ALLOWED,
      afterTick: () => {
        if (refusedFrom === undefined && (trafficShares(world.rule()!.actions).get(b.targetGroupArn) ?? 0) > 0) {
          refusedFrom = world.fake.clock.now();
          // Say the table's key policy or the role's policy was changed under a running release.
          refusal = world.fake.faults.add({ kind: 'access-denied', operation: 'dynamodb:UpdateItem' });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^the release state table \S+ refused UpdateItem: AccessDeniedException: .* not authorized to perform: dynamodb:UpdateItem .*; without its lease the controller writes no listener rule, so it restored nothing and the listener rule forwards web-a 90 %, web-b 10 %; once its role can write the table again, CloudFormation's rollback \(continued, if it stopped\) restores the traffic$/);
    // The refusal did not hide behind the final save's own refusal, and no rule write followed it.
    expect(result.calls.filter((c) => c.at > refusedFrom! && RULE_WRITES.test(c.operation))).toEqual([]);
    expect(result.calls.some((c) => c.at > refusedFrom! && c.operation === 'dynamodb:UpdateItem' && c.outcome === 'access-denied')).toBe(true);

    // CloudFormation's rollback comes at once and meets the same refusal: UPDATE_ROLLBACK_FAILED.
    const lastGood = world.lastProperties!;
    const failedUpdate = world.properties(b, canary);
    const stuck = await world.updateWith(lastGood, failedUpdate, { invariants: SPLIT_ALLOWED });
    expect(stuck.status).toBe('FAILED');
    expect(stuck.reason).toMatch(/refused UpdateItem: AccessDeniedException: .*the listener rule forwards web-a 90 %, web-b 10 %/);
    expect(stuck.calls.filter((c) => RULE_WRITES.test(c.operation))).toEqual([]);

    // Once the role may write again, continuing the rollback sends the same update again.
    refusal!.remove();
    const continued = await world.updateWith(lastGood, failedUpdate);
    expect(continued.status).toBe('SUCCESS');
    expect(forwardsOnlyTo(world, a)).toBe(true);
    expect(world.state()).toMatchObject({ phase: 'COMMITTED', live: { key: 'a' } });
  });

  test('a restore the load balancer refuses fails with the rule as it is in the reason; the rollback restores once the role may write it', async () => {
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    let refusal: { remove(): void } | undefined;
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 300, alarmNames: ['Web-5xx'] }, {
      invariants: SPLIT_ALLOWED,
      afterTick: () => {
        if (refusal === undefined && (trafficShares(world.rule()!.actions).get(b.targetGroupArn) ?? 0) > 0) {
          world.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM');
          refusal = world.fake.faults.add({ kind: 'access-denied', operation: 'elbv2:ModifyRule' });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^rollback alarm Web-5xx is in ALARM .*; restoring generation a failed too: AccessDenied: .* not authorized to perform: elbv2:ModifyRule .*; the listener rule forwards web-a 50 %, web-b 50 %$/);
    expect(world.state()).toMatchObject({ phase: 'FAILED' });

    refusal!.remove();
    world.fake.cloudWatch.setAlarmState('Web-5xx', 'OK');
    const rollback = await world.cloudFormationRollback();
    expect(rollback.status).toBe('SUCCESS');
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  test('a state table that refuses reads fails the poll before it changes anything, and says which table and call', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    world.fake.faults.add({ kind: 'access-denied', operation: 'dynamodb:GetItem' });
    const result = await world.update(b);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^the release state table \S+ refused GetItem: AccessDeniedException: .* not authorized to perform: dynamodb:GetItem /);
    expect(result.calls.filter((c) => !c.operation.startsWith('dynamodb:'))).toEqual([]);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });
});

describe('time budget', () => {
  test('a restore under sustained timeouts stays inside the Lambda timeout: each poll retries while it has time and leaves the rest to the next; the old generation is back once the load balancer answers', async () => {
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    let alarmAt: number | undefined;
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 50, stepIntervalSeconds: 300, alarmNames: ['Web-5xx'] }, {
      afterTick: () => {
        const rule = world.rule();
        if (alarmAt === undefined && rule && (trafficShares(rule.actions).get(b.targetGroupArn) ?? 0) === 50) {
          alarmAt = world.fake.clock.now();
          world.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM');
          // Five minutes in which the load balancer answers nothing: every call times out after
          // 10 s, three times per SDK call. Without a time budget the restore's retries would
          // run past the function's 120 s timeout, and the request would fail unrestored.
          // The next poll reads the rule (its first call), sees the alarm, and then the outage begins.
          world.fake.faults.add({ kind: 'timeout', operation: /^elbv2:/, skip: 1, from: alarmAt, until: alarmAt + 300_000 });
          world.fake.faults.add({ kind: 'throttle', operation: /^dynamodb:/, probability: 0.3, from: alarmAt, until: alarmAt + 300_000 });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.crashedAt).toBeUndefined();
    expect(result.reason).toMatch(/rollback alarm Web-5xx is in ALARM.*all traffic is back on generation a/);
    expect(forwardsOnlyTo(world, a)).toBe(true);
    const invocations = new Map<number, { first: number; last: number; attempts: number }>();
    for (const call of result.calls) {
      const seen = invocations.get(call.invocation) ?? { first: call.at, last: call.at, attempts: 0 };
      invocations.set(call.invocation, { first: seen.first, last: call.at, attempts: seen.attempts + 1 });
    }
    const longest = Math.max(...[...invocations.values()].map((i) => i.last - i.first));
    // Each poll ended inside the 120 s timeout (the last retry starts only with 45 s to spare).
    expect(longest).toBeLessThan(120_000);
    expect(longest).toBeGreaterThan(60_000);
    expect(world.fake.logs.some((l) => l.message === 'transient error, retrying')).toBe(true);
  });
});

describe('state size', () => {
  test('the largest fleet a deployment allows (10,000 instances, every one unhealthy): the state and the reason stay small, counts instead of lists', async () => {
    const a = await liveGenerationA();
    const fleet = 10_000;
    const b = world.generation('b', { minSize: fleet, maxSize: fleet, instances: { launchSeconds: 5, failure: RESPONSE_CODE_MISMATCH } });
    const result = await world.update(b, { minCapacity: fleet, maxCapacity: fleet, healthTimeoutSeconds: 60 });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^generation b did not become healthy within 60 s: 0 of 10000 targets in web-b healthy; (i-\w+ unhealthy \(Target\.ResponseCodeMismatch: Health checks failed with these codes: \[500\]\); ){3}and 9997 more not healthy; 10000 needed; all traffic is back on generation a$/);
    expect(forwardsOnlyTo(world, a)).toBe(true);
    const stored = world.fake.stateValue(world.stateKey)!;
    expect(stored.length).toBeLessThan(2_500);
    expect(world.state()!.reason).toBe(result.reason);
  });
});

describe('properties', () => {
  test('any strategy under any mix of transient faults ends released, with every invariant holding at every poll', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          strategy: fc.constantFrom('ALL_AT_ONCE' as const, 'CANARY' as const, 'LINEAR' as const),
          stepPercent: fc.integer({ min: 1, max: 100 }),
          stepIntervalSeconds: fc.integer({ min: 0, max: 120 }),
          bakeSeconds: fc.integer({ min: 0, max: 300 }),
          drainSeconds: fc.integer({ min: 0, max: 300 }),
          liveDesired: fc.integer({ min: 1, max: 5 }),
          throttle: fc.double({ min: 0, max: 0.15, noNaN: true }),
          lost: fc.double({ min: 0, max: 0.03, noNaN: true }),
        }),
        async (p) => {
          world.dispose();
          world = new ReleaseWorld({ seed: p.seed });
          const a = world.generation('a', { minSize: p.liveDesired });
          expect((await world.create(a)).status).toBe('SUCCESS');
          const b = world.generation('b');
          world.fake.faults.add({ kind: 'throttle', probability: p.throttle });
          world.fake.faults.add({ kind: 'lost-response', probability: p.lost });
          const result = await world.update(b, {
            strategy: p.strategy,
            // LINEAR 1 % every 120 s cannot fit the deadline; the construct rejects that at synth.
            stepPercent: p.strategy === 'LINEAR' ? Math.max(p.stepPercent, 10) : p.stepPercent,
            stepIntervalSeconds: p.stepIntervalSeconds,
            bakeSeconds: p.bakeSeconds,
            drainSeconds: p.drainSeconds,
          });
          expect(result.status).toBe('SUCCESS');
          expect(world.fake.autoScaling.groups.get(b.autoScalingGroupName)!.desired).toBe(p.liveDesired);
          expect(forwardsOnlyTo(world, b)).toBe(true);
          expect(writesPerSplit(result).every((n) => n === 1)).toBe(true);
        },
      ),
      // `npm run test:deep` plays 25 runs.
      { numRuns: propertyRuns(10, 25), seed: 20261122 },
    );
    // A budget for a busy CI machine, not a timing check.
  }, 600_000);
});

describe('idempotence and re-entry', () => {
  test('the same isComplete twice gives the same state, at every poll of a release and of its rollback', async () => {
    const a = world.generation('a');
    expect((await world.create(a, {}, { pollTwice: true })).status).toBe('SUCCESS');
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    const released = await world.update(b, { strategy: 'LINEAR', stepPercent: 50, stepIntervalSeconds: 60, alarmNames: ['Web-5xx'] }, { pollTwice: true });
    expect(released.status).toBe('SUCCESS');

    const c = world.generation('c');
    world.fake.after(200, 'alarm', () => world.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM'));
    const failed = await world.update(c, { strategy: 'LINEAR', stepPercent: 50, stepIntervalSeconds: 300, alarmNames: ['Web-5xx'] }, { pollTwice: true });
    expect(failed.status).toBe('FAILED');
    world.fake.cloudWatch.setAlarmState('Web-5xx', 'OK');
    expect((await world.cloudFormationRollback({ pollTwice: true })).status).toBe('SUCCESS');
    expect(forwardsOnlyTo(world, b)).toBe(true);
  });

  test.each(['ModifyRule', 'UpdateItem', 'SetDesiredCapacity', 'DescribeTargetHealth'])(
    'a Lambda that dies right after %s fails the request (as the provider framework does); CloudFormation\'s rollback restores the old generation and the next release shifts each step once',
    async (operation) => {
      const a = await liveGenerationA();
      const b = world.generation('b');
      world.fake.faults.add({ kind: 'crash-after', operation, times: 1 });
      const settings = { strategy: 'LINEAR', stepPercent: 25, stepIntervalSeconds: 60 } as const;

      const result = await world.update(b, settings);

      expect(result.status).toBe('FAILED');
      expect(result.crashedAt).toBe(`died at ${result.calls.find((c) => c.outcome === 'crash-after')!.operation}`);
      expect(result.reason).toContain('Task timed out after 120.00 seconds');
      const rollback = await world.cloudFormationRollback();
      expect(rollback.status).toBe('SUCCESS');
      expect(forwardsOnlyTo(world, a)).toBe(true);

      const c = world.generation('c');
      const trace = recorder(world, [a, c]);
      const again = await world.update(c, settings, trace);
      expect(again.status).toBe('SUCCESS');
      expect(trace.steps('c')).toEqual([0, 25, 50, 75, 100]);
      expect(writesPerSplit(again).every((n) => n === 1)).toBe(true);
      expect(forwardsOnlyTo(world, c)).toBe(true);
    },
  );

  test('a first release whose CreateRule response was lost: the SDK sends it again, and the controller adopts the rule the first attempt made', async () => {
    const a = world.generation('a');
    world.fake.faults.add({ kind: 'lost-response', operation: 'CreateRule', times: 1 });
    const result = await world.create(a);
    expect(result.status).toBe('SUCCESS');
    // One call, two attempts on the wire: the second met the first's rule (PriorityInUse).
    const creates = result.calls.filter((c) => c.operation === 'elbv2:CreateRule');
    expect(creates.map((c) => [c.attempt, c.outcome])).toEqual([[1, 'lost-response'], [2, 'PriorityInUse']]);
    expect(new Set(creates.map((c) => c.sdkCallId)).size).toBe(1);
    const rules = world.fake.elbv2.rulesOf(world.listenerArn);
    expect(rules).toHaveLength(1);
    expect(Object.fromEntries(rules[0].tags)).toEqual({
      'cdk-immutable-infra:release-controller': FAKE_CONTROLLER_TAG,
      'cdk-immutable-infra:release': result.physicalResourceId,
    });
    expect(world.fake.logs.some((l) => /adopted the rule it made/.test(l.message))).toBe(true);
  });

  test('a restore that must create the rule again, whose CreateRule response was lost, restores the old generation and says so truthfully', async () => {
    const a = await liveGenerationA();
    world.fake.cloudWatch.putAlarm('Web-5xx');
    const b = world.generation('b');
    let armed = false;
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 300, alarmNames: ['Web-5xx'] }, {
      // With its rule deleted, generation a's group is referenced by no rule and its health
      // checks start over: the restored rule sends traffic to targets still being checked, the
      // world's doing and the only generation to send it to.
      invariants: STANDARD_INVARIANTS.filter((i) => i !== noTrafficToEmptyTargetGroup),
      afterTick: () => {
        const rule = world.rule();
        if (!armed && rule && (trafficShares(rule.actions).get(b.targetGroupArn) ?? 0) === 10) {
          armed = true;
          // Someone deletes the rule, the alarm fires, and the restore's CreateRule response is lost.
          world.fake.elbv2.operatorDeleteRule(rule.arn);
          world.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM');
          world.fake.faults.add({ kind: 'lost-response', operation: 'CreateRule', times: 1 });
        }
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.reason).not.toMatch(/failed too/);
    expect(result.reason).toMatch(/all traffic is back on generation a/);
    expect(world.fake.elbv2.rulesOf(world.listenerArn)).toHaveLength(1);
    expect(forwardsOnlyTo(world, a)).toBe(true);
  });

  test('a stale poll of an earlier request changes nothing', async () => {
    const a = await liveGenerationA();
    const b = world.generation('b');
    let staleRequest: ReleaseRequest | undefined;
    let staleOutcome: unknown;
    const result = await world.update(b, { strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 120 }, {
      afterTick: async (context) => {
        // A waiter of an earlier request (here: the Create) polls once more mid-shift.
        if (!staleRequest && (trafficShares(world.rule()?.actions ?? []).get(b.targetGroupArn) ?? 0) === 10) {
          const createRequestId = world.fake.releaseState(world.stateKey)!.superseded.slice(-1)[0];
          staleRequest = { ...context.request, RequestType: 'Create', RequestId: createRequestId, ResourceProperties: world.properties(a) as never };
          const rulesBefore = world.fake.elbv2.ruleChanges.length;
          const stateBefore = world.fake.stateValue(world.stateKey);
          staleOutcome = await world.fake.runInvocation(() => isComplete(staleRequest!));
          expect(world.fake.elbv2.ruleChanges.length).toBe(rulesBefore);
          expect(world.fake.stateValue(world.stateKey)).toBe(stateBefore);
        }
      },
    });
    expect(staleOutcome).toMatchObject({ kind: 'threw', error: { name: 'SupersededRequest' } });
    expect(result.status).toBe('SUCCESS');
    expect(forwardsOnlyTo(world, b)).toBe(true);
  });
});

describe('onEvent', () => {
  const base = {
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::ImmutableRelease',
  };

  test('names the resource once, from the deployment name, and keeps the name across updates and delete', async () => {
    const a = world.generation('a');
    const properties = world.properties(a) as unknown as Record<string, unknown>;
    const created = await onEvent({ ...base, RequestType: 'Create', RequestId: 'r1', ResourceProperties: properties });
    expect(created.PhysicalResourceId).toMatch(/^immutable-release:Web:[0-9a-f]{12}$/);
    const again = await onEvent({ ...base, RequestType: 'Create', RequestId: 'r2', ResourceProperties: properties });
    expect(again.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const renamed = { ...properties, DeploymentName: 'Other' };
    const updated = await onEvent({ ...base, RequestType: 'Update', RequestId: 'r3', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: renamed, OldResourceProperties: properties });
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const deleted = await onEvent({ ...base, RequestType: 'Delete', RequestId: 'r4', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: { Junk: true } });
    expect(deleted.PhysicalResourceId).toBe(created.PhysicalResourceId);
    // Another stack's resource with the same deployment name gets another id.
    const otherStack = await onEvent({ ...base, StackId: STACK_ID.replace('WebStack', 'OtherStack'), RequestType: 'Create', RequestId: 'r5', ResourceProperties: properties });
    expect(otherStack.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
  });

  test('rejects bad properties with a message that names each property, its value and what was expected', async () => {
    const a = world.generation('a');
    const properties = {
      ...(world.properties(a) as unknown as Record<string, unknown>),
      Priority: '0',
      Strategy: 'BLUE_GREEN',
      MinCapacity: '5',
      MaxCapacity: '2',
      Conditions: 'path=/*',
      AlarmNames: 'Web-5xx',
    };
    await expect(onEvent({ ...base, RequestType: 'Create', RequestId: 'r1', ResourceProperties: properties })).rejects.toThrow(
      new RegExp([
        'Priority: expected an integer from 1 to 50000, got "0"',
        'Conditions: expected a JSON array',
        'Strategy: expected one of ALL_AT_ONCE, CANARY, LINEAR, got "BLUE_GREEN"',
        'AlarmNames: expected a list of alarm names, got "Web-5xx"',
        'MinCapacity \\(5\\) must not exceed MaxCapacity \\(2\\)',
      ].map((p) => `(?=[\\s\\S]*${p})`).join('')),
    );
  });

  test('logs are one JSON object per line, with the request they belong to', async () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      setLogSink();
      const a = world.generation('a');
      await onEvent({ ...base, RequestType: 'Create', RequestId: 'r-logs', ResourceProperties: world.properties(a) as unknown as Record<string, unknown> });
    } finally {
      write.mockRestore();
    }
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ level: 'INFO', message: 'release requested', requestId: 'r-logs', requestType: 'Create', handler: 'onEvent', generation: 'a' });
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });

  test('accepts fractional seconds, as Duration.toSeconds({ integral: false }) renders them', async () => {
    const a = world.generation('a');
    const properties = { ...(world.properties(a) as unknown as Record<string, unknown>), StepIntervalSeconds: '1.5', BakeSeconds: '90' };
    await expect(onEvent({ ...base, RequestType: 'Create', RequestId: 'r1', ResourceProperties: properties })).resolves.toBeDefined();
    await expect(onEvent({ ...base, RequestType: 'Create', RequestId: 'r2', ResourceProperties: { ...properties, BakeSeconds: '-1' } }))
      .rejects.toThrow('BakeSeconds: expected a number of seconds from 0 to 3600, got "-1"');
  });

  test('a Create with unusable properties fails in onEvent, before any AWS call', async () => {
    const a = world.generation('a');
    const result = await world.create(a, { priority: 70_000 });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('Priority: expected an integer from 1 to 50000, got "70000"');
    expect(result.calls).toEqual([]);
  });
});
