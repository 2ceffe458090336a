import { referencedGroups, trafficShares } from './elbv2';
import type { RecordedEvent } from './eventbridge';
import type { CallRecord, FakeAws, InvocationOutcome } from './fake-aws';
import { STANDARD_INVARIANTS, type Invariant, type InvariantContext, type PollOutcome } from './invariants';
import { handler as isComplete } from '../../../src/handlers/release-controller/is-complete.lambda';
import { handler as onEvent } from '../../../src/handlers/release-controller/on-event.lambda';
import type { IsCompleteResponse, ReleaseRequest } from '../../../src/handlers/release-controller/request';
import type { ReleaseState } from '../../../src/handlers/release-controller/state';
import type { ReleaseAttributes, ReleaseProperties } from '../../../src/release-contract/release-properties';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/WebStack/6a1b2c3d-0000-4000-8000-000000000001';
export const LOGICAL_ID = 'WebRelease1A2B3C4D';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:WebStack-ReleaseProviderframeworkonEvent';
/** The user isComplete function's name, as the framework names its log group in failure reasons. */
const IS_COMPLETE_FUNCTION = 'WebStack-ReleaseControllerIsComplete';
/** The release controller's isComplete timeout (see src/deployment/release-controller.ts). */
export const IS_COMPLETE_TIMEOUT_SECONDS = 120;

// A drive that never starts would otherwise keep the loop going for ever.
const MAX_CONCURRENT_TICKS = 10_000;

const FAULT_OUTCOMES = new Set<string>(['throttle', 'server-error', 'access-denied', 'timeout', 'lost-response', 'crash-before', 'crash-after']);

/** A tick, as the provider framework would see it. */
export interface TickRecord {
  readonly tick: number;
  /** Seconds since the drive started. */
  readonly at: number;
  readonly outcome: PollOutcome;
  /** The state's phase after the poll. */
  readonly phase?: string;
  /** Error message (failed) or the operation a crash hit. */
  readonly detail?: string;
}

/** Extra information a tick hook gets. */
export interface TickHookContext {
  readonly fake: FakeAws;
  readonly tick: number;
  /** Seconds since the drive started. */
  readonly elapsedSeconds: number;
  readonly request: ReleaseRequest;
}

export interface DriveOptions {
  readonly fake: FakeAws;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly properties: ReleaseProperties;
  /** Update: the properties before the update. */
  readonly oldProperties?: ReleaseProperties;
  /** Update and Delete: the id Create returned. */
  readonly physicalResourceId?: string;
  readonly requestId?: string;
  /** Default LOGICAL_ID; another one is another release resource in the same stack. */
  readonly logicalResourceId?: string;
  /** The provider's queryInterval. Default 10 s. */
  readonly queryIntervalSeconds?: number;
  /** The provider's totalTimeout. Default 3600 s. */
  readonly totalTimeoutSeconds?: number;
  /** Default STANDARD_INVARIANTS. */
  readonly invariants?: readonly Invariant[];
  /** Runs before each poll (world changes, out-of-band edits). */
  readonly beforeTick?: (context: TickHookContext) => void | Promise<void>;
  /** Runs after each poll and its invariant checks. */
  readonly afterTick?: (context: TickHookContext & { readonly outcome: PollOutcome }) => void | Promise<void>;
  /**
   * Re-entry: poll twice at the same simulated time and require the second poll to change
   * nothing (no rule write, same state, no event) and to answer the same.
   */
  readonly pollTwice?: boolean;
}

export interface DriveResult {
  readonly status: 'SUCCESS' | 'FAILED' | 'TIMED_OUT';
  readonly physicalResourceId: string;
  readonly requestId: string;
  readonly data?: ReleaseAttributes;
  /** Why it failed, as CloudFormation would show it. */
  readonly reason?: string;
  /** When the user isComplete function died: where ("died at elbv2:ModifyRule"). */
  readonly crashedAt?: string;
  readonly ticks: readonly TickRecord[];
  readonly elapsedSeconds: number;
  /** Calls and events of this drive only. */
  readonly calls: readonly CallRecord[];
  readonly events: readonly RecordedEvent[];
  /** The isComplete event the waiter polled with (request plus what onEvent returned), to replay a stale poll. */
  readonly request?: ReleaseRequest;
}

/** An invariant broke; the message says which, at which tick and what the world looked like. */
export class InvariantViolation extends Error {
  public constructor(invariant: string, tick: number, elapsedSeconds: number, detail: string, history: readonly TickRecord[]) {
    const recent = history.slice(-5).map((t) => `#${t.tick}@${t.at}s ${t.outcome}${t.phase ? ` ${t.phase}` : ''}${t.detail ? ` (${t.detail})` : ''}`).join('; ');
    super(`invariant "${invariant}" broken at tick ${tick} (${elapsedSeconds} s): ${detail}\nrecent ticks: ${recent}`);
    this.name = 'InvariantViolation';
  }
}

/**
 * Play the CloudFormation custom resource provider framework against the fake: onEvent
 * once, then isComplete right away and every queryInterval of simulated time until it
 * completes, throws, or totalTimeout runs out ("Operation timed out"), checking invariants
 * after every poll.
 *
 * A crashed invocation (crash fault: the user isComplete function died or timed out) FAILS
 * the request, as in aws-cdk-lib's provider framework: its isComplete Lambda invokes the
 * user function synchronously, turns a FunctionError (an exception, "Task timed out", a
 * killed runtime) into an Error, and its safeHandler answers CloudFormation FAILED. Only
 * `IsComplete: false` is rethrown as the framework's Retry, which the waiter state machine
 * retries (Retry on States.ALL, IntervalSeconds = queryInterval, BackoffRate 1). So the next
 * invocation after a crash is CloudFormation's rollback request, never the same request.
 */
export async function driveRelease(options: DriveOptions): Promise<DriveResult> {
  const [result] = await driveConcurrently([options]);
  return result;
}

/** A drive that joins the others later (a request CloudFormation sends while others run). */
export interface ConcurrentDriveOptions extends DriveOptions {
  /** The tick at which this request's onEvent runs. Default 0. */
  readonly startTick?: number;
  /** Or: the first tick at which this returns true (checked before the tick's polls). */
  readonly startWhen?: (tick: number) => boolean;
}

/**
 * Several requests, each with its own waiter, polled on one simulated clock: at each tick
 * every started, unfinished request is polled once (in the order given), then time moves on
 * by the query interval (the first drive's). Models two release resources on one listener,
 * or CloudFormation's rollback request arriving while the waiter of the request it
 * cancelled still polls.
 */
export async function driveConcurrently(drives: readonly ConcurrentDriveOptions[]): Promise<DriveResult[]> {
  if (drives.length === 0) {
    return [];
  }
  const fake = drives[0].fake;
  if (drives.some((d) => d.fake !== fake)) {
    throw new Error('driveConcurrently: every drive must use the same fake');
  }
  const waiters = drives.map((d) => new Waiter(d));
  const interval = (drives[0].queryIntervalSeconds ?? 10) * 1000;
  for (let tick = 0; waiters.some((w) => !w.result); tick++) {
    if (tick > MAX_CONCURRENT_TICKS) {
      throw new Error(`driveConcurrently: drive(s) ${waiters.flatMap((w, i) => (w.started ? [] : [i])).join(', ')} never started`);
    }
    for (const [i, waiter] of waiters.entries()) {
      const due = drives[i].startWhen ? drives[i].startWhen!(tick) : (drives[i].startTick ?? 0) <= tick;
      if (!waiter.started && due) {
        await waiter.start();
      }
      if (waiter.started && !waiter.result) {
        await waiter.poll();
      }
    }
    if (waiters.some((w) => !w.result)) {
      fake.advance(interval / 1000);
    }
  }
  return waiters.map((w) => w.result!);
}

/** One request's provider framework waiter: onEvent once, then one isComplete per tick. */
class Waiter {
  public started = false;
  public result?: DriveResult;
  private readonly fake: FakeAws;
  private readonly requestId: string;
  private readonly request: ReleaseRequest;
  private readonly ticks: TickRecord[] = [];
  private readonly memory = new Map<string, unknown>();
  private readonly stateName: string;
  private readonly polls: number;
  private readonly totalTimeoutMs: number;
  private startedAt = 0;
  private firstCall = 0;
  private firstEvent = 0;
  private tick = 0;
  private physicalResourceId = '';
  private event?: ReleaseRequest;
  private initialState?: ReleaseState;
  private initialSoleTarget?: string;
  private initialShares?: ReadonlyMap<string, number>;
  private initialLiveDesired?: number;

  public constructor(private readonly options: DriveOptions) {
    this.fake = options.fake;
    this.requestId = options.requestId ?? this.fake.newRequestId();
    this.request = buildRequest(options, this.requestId);
    this.stateName = String(options.properties.DeploymentName);
    const interval = (options.queryIntervalSeconds ?? 10) * 1000;
    this.totalTimeoutMs = (options.totalTimeoutSeconds ?? 3600) * 1000;
    this.polls = Math.floor(this.totalTimeoutMs / interval) + 1;
  }

  public async start(): Promise<void> {
    const fake = this.fake;
    this.started = true;
    this.startedAt = fake.clock.now();
    this.firstCall = fake.calls.length;
    this.firstEvent = fake.eventBridge.events.length;
    let onEventResult: object;
    try {
      onEventResult = await onEvent(this.request);
    } catch (error) {
      this.finish('FAILED', { reason: errorMessage(error) });
      return;
    }
    this.physicalResourceId = (onEventResult as { PhysicalResourceId: string }).PhysicalResourceId;
    if (this.request.RequestType !== 'Create' && this.physicalResourceId !== this.request.PhysicalResourceId) {
      throw new Error(`onEvent changed the physical id of an ${this.request.RequestType} from ${this.request.PhysicalResourceId} to ${this.physicalResourceId}; CloudFormation would replace the resource`);
    }
    // The framework passes every field onEvent returned through to isComplete.
    this.event = { ...this.request, ...onEventResult, PhysicalResourceId: this.physicalResourceId };
    this.initialState = fake.releaseState(this.stateName);
    const rule = (this.initialState?.ruleArn ? fake.elbv2.rule(this.initialState.ruleArn) : undefined)
      ?? fake.elbv2.ruleAtPriority(String(this.options.properties.ListenerArn), Number(this.options.properties.Priority));
    const groups = rule ? referencedGroups(rule.actions) : [];
    this.initialSoleTarget = groups.length === 1 ? groups[0] : undefined;
    this.initialShares = rule ? trafficShares(rule.actions) : undefined;
    this.initialLiveDesired = this.initialState?.live ? fake.autoScaling.groups.get(this.initialState.live.autoScalingGroupName)?.desired : undefined;
  }

  public async poll(): Promise<void> {
    const { fake, options } = this;
    const event = this.event!;
    const tick = this.tick++;
    // The waiter retries a fixed number of times, and polls that wait inside (the SDK's
    // back-off) stretch each attempt: CloudFormation's one-hour limit may come first.
    if (tick >= this.polls || (tick > 0 && fake.clock.now() - this.startedAt >= this.totalTimeoutMs)) {
      this.finish('TIMED_OUT', { reason: 'Operation timed out' });
      return;
    }
    fake.reconcile();
    const hookContext = { fake, tick, elapsedSeconds: (fake.clock.now() - this.startedAt) / 1000, request: event };
    await options.beforeTick?.(hookContext);
    fake.reconcile();

    const callsBefore = fake.calls.length;
    const timeBefore = fake.clock.now();
    const invokedAt = timeBefore;
    const result = await fake.runInvocation((context) => isComplete(event, context));
    // Re-entry means repeating a poll that ran to its end; a poll cut short by a fault has
    // work left, which the repeat rightly does.
    const faulted = fake.calls.slice(callsBefore).some((call) => FAULT_OUTCOMES.has(call.outcome));
    // Cut short: a call whose every attempt met a fault, so the controller itself saw the error.
    const cutShort = fake.failedSdkCalls(fake.calls.slice(callsBefore)).some((call) => FAULT_OUTCOMES.has(call.outcome) && !call.operation.startsWith('events:'));
    // A poll that waited (the SDK's back-off or rate limiter) did not end at the moment it
    // began: a repeat "at the same moment" is not the same poll.
    if (options.pollTwice && result.kind !== 'crashed' && !faulted && fake.clock.now() === timeBefore) {
      await pollAgain(fake, event, this.stateName, result, tick);
    }
    const outcome = classify(result);
    const state = fake.releaseState(this.stateName);
    this.ticks.push({
      tick,
      at: (fake.clock.now() - this.startedAt) / 1000,
      outcome: outcome.poll,
      phase: state?.deploymentId === this.requestId ? state.phase : undefined,
      detail: outcome.detail,
    });

    const context: InvariantContext = {
      fake,
      tick,
      requestId: this.requestId,
      listenerArn: String(options.properties.ListenerArn),
      priority: Number(options.properties.Priority),
      stateKey: this.stateName,
      outcome: outcome.poll,
      cutShort,
      initialState: this.initialState,
      initialSoleTarget: this.initialSoleTarget,
      initialShares: this.initialShares,
      initialLiveDesired: this.initialLiveDesired,
      startedAt: this.startedAt,
      memory: this.memory,
    };
    for (const invariant of options.invariants ?? STANDARD_INVARIANTS) {
      const violation = invariant.check(context);
      if (violation) {
        throw new InvariantViolation(invariant.name, tick, hookContext.elapsedSeconds, violation, this.ticks);
      }
    }
    await options.afterTick?.({ ...hookContext, outcome: outcome.poll });

    if (outcome.poll === 'complete') {
      this.finish('SUCCESS', { data: outcome.data });
    } else if (outcome.poll === 'failed') {
      this.finish('FAILED', { reason: outcome.detail });
    } else if (outcome.poll === 'crashed') {
      // The framework learns of the death when the invoke returns: "Task timed out" at the
      // function's timeout after the invocation began, not before.
      fake.advance(Math.max(0, invokedAt + IS_COMPLETE_TIMEOUT_SECONDS * 1000 - fake.clock.now()) / 1000);
      this.finish('FAILED', { reason: lambdaTimedOut(fake, tick), crashedAt: outcome.detail });
    }
  }

  private finish(status: DriveResult['status'], extra: { data?: ReleaseAttributes; reason?: string; crashedAt?: string }): void {
    const fake = this.fake;
    this.result = {
      status,
      physicalResourceId: this.physicalResourceId || this.request.PhysicalResourceId || '',
      requestId: this.requestId,
      ...extra,
      ticks: this.ticks,
      elapsedSeconds: (fake.clock.now() - this.startedAt) / 1000,
      calls: fake.calls.slice(this.firstCall),
      events: fake.eventBridge.events.slice(this.firstEvent),
      ...(this.event ? { request: this.event } : {}),
    };
  }
}

function buildRequest(options: DriveOptions, requestId: string): ReleaseRequest {
  const properties = { ServiceToken: SERVICE_TOKEN, ...options.properties } as unknown as Record<string, unknown>;
  const base = {
    RequestType: options.requestType,
    RequestId: requestId,
    StackId: STACK_ID,
    LogicalResourceId: options.logicalResourceId ?? LOGICAL_ID,
    ResourceType: 'Custom::ImmutableRelease',
    ResourceProperties: properties,
  };
  if (options.requestType === 'Create') {
    return base;
  }
  if (!options.physicalResourceId) {
    throw new Error(`an ${options.requestType} needs the physical id Create returned`);
  }
  return {
    ...base,
    PhysicalResourceId: options.physicalResourceId,
    ...(options.requestType === 'Update'
      ? { OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...options.oldProperties } as unknown as Record<string, unknown> }
      : {}),
  };
}

/** The provider framework's reading of what isComplete returned. */
function classify(result: InvocationOutcome<IsCompleteResponse>): { poll: PollOutcome; detail?: string; data?: ReleaseAttributes } {
  switch (result.kind) {
    case 'crashed':
      return { poll: 'crashed', detail: `died at ${result.operation}` };
    case 'threw':
      return { poll: 'failed', detail: errorMessage(result.error) };
    case 'returned': {
      const response = result.value as { IsComplete?: unknown; Data?: ReleaseAttributes };
      if (!response.IsComplete) {
        if (response.Data && Object.keys(response.Data).length > 0) {
          return { poll: 'failed', detail: '"Data" is not allowed if "IsComplete" is "False"' };
        }
        return { poll: 'waiting' };
      }
      return { poll: 'complete', data: response.Data };
    }
  }
}

/** Re-entry check: a second poll at the same moment must change nothing and answer the same. */
async function pollAgain(
  fake: FakeAws, event: ReleaseRequest, stateName: string, first: InvocationOutcome<IsCompleteResponse>, tick: number,
): Promise<void> {
  const stateBefore = fake.stateValue(stateName);
  const rulesBefore = fake.elbv2.ruleChanges.length;
  const eventsBefore = fake.eventBridge.events.length;
  const desiredBefore = [...fake.autoScaling.groups.values()].map((g) => g.desiredHistory.length).join(',');
  // The repeat itself runs fault-free, and leaves the fault rules' counters alone.
  fake.faults.paused = true;
  const at = fake.clock.now();
  let second: InvocationOutcome<IsCompleteResponse>;
  try {
    second = await fake.runInvocation((context) => isComplete(event, context));
  } finally {
    fake.faults.paused = false;
  }
  // A repeat that waited (the SDK's rate limiter, still slowed by earlier throttling) did not
  // run at the same moment: what it did may rightly differ.
  if (fake.clock.now() !== at) {
    return;
  }
  const problems: string[] = [];
  if (fake.stateValue(stateName) !== stateBefore) {
    problems.push(`state changed from ${stateBefore} to ${fake.stateValue(stateName)}`);
  }
  if (fake.elbv2.ruleChanges.length !== rulesBefore) {
    problems.push(`the rule was written again: ${JSON.stringify(fake.elbv2.ruleChanges.slice(rulesBefore))}`);
  }
  if (fake.eventBridge.events.length !== eventsBefore) {
    problems.push(`${fake.eventBridge.events.length - eventsBefore} more event(s)`);
  }
  if ([...fake.autoScaling.groups.values()].map((g) => g.desiredHistory.length).join(',') !== desiredBefore) {
    problems.push('a desired capacity changed again');
  }
  const a = classify(first);
  const b = classify(second);
  if (a.poll !== b.poll || JSON.stringify(a.data) !== JSON.stringify(b.data)) {
    problems.push(`first poll ${JSON.stringify(a)}, second ${JSON.stringify(b)}`);
  }
  if (problems.length > 0) {
    throw new Error(`re-entry at tick ${tick}: the same isComplete twice did not give the same state: ${problems.join('; ')}`);
  }
}

/** The reason the framework sends CloudFormation when the user isComplete function timed out. */
function lambdaTimedOut(fake: FakeAws, tick: number): string {
  const lambdaRequestId = `7a3b0c1d-0000-4000-8000-${tick.toString(16).padStart(12, '0')}`;
  const message = `${new Date(fake.clock.now()).toISOString()} ${lambdaRequestId} Task timed out after ${IS_COMPLETE_TIMEOUT_SECONDS.toFixed(2)} seconds`;
  return [message, '', `Logs: /aws/lambda/${IS_COMPLETE_FUNCTION}`, ''].join('\n');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
