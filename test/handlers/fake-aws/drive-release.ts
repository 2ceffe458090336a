import type { RecordedEvent } from './eventbridge';
import type { CallRecord, FakeAws, InvocationOutcome } from './fake-aws';
import { STANDARD_INVARIANTS, type Invariant, type InvariantContext, type PollOutcome } from './invariants';
import type { ReleaseAttributes, ReleaseProperties } from '../../../src/deployment/release-properties';
import { handler as isComplete } from '../../../src/handlers/release-controller/is-complete.lambda';
import { handler as onEvent } from '../../../src/handlers/release-controller/on-event.lambda';
import type { IsCompleteResponse, ReleaseRequest } from '../../../src/handlers/release-controller/request';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/WebStack/6a1b2c3d-0000-4000-8000-000000000001';
export const LOGICAL_ID = 'WebRelease1A2B3C4D';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:WebStack-ReleaseProviderframeworkonEvent';

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
  readonly ticks: readonly TickRecord[];
  readonly elapsedSeconds: number;
  /** Calls and events of this drive only. */
  readonly calls: readonly CallRecord[];
  readonly events: readonly RecordedEvent[];
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
 * after every poll. A crashed invocation (crash fault) is retried on the next poll, which
 * is what the framework's waiter does when its own invocation fails.
 */
export async function driveRelease(options: DriveOptions): Promise<DriveResult> {
  const { fake } = options;
  const requestId = options.requestId ?? fake.newRequestId();
  const request = buildRequest(options, requestId);
  const startedAt = fake.clock.now();
  const firstCall = fake.calls.length;
  const firstEvent = fake.eventBridge.events.length;
  const ticks: TickRecord[] = [];
  const finish = (status: DriveResult['status'], physicalResourceId: string, extra: { data?: ReleaseAttributes; reason?: string }): DriveResult => ({
    status,
    physicalResourceId,
    requestId,
    ...extra,
    ticks,
    elapsedSeconds: (fake.clock.now() - startedAt) / 1000,
    calls: fake.calls.slice(firstCall),
    events: fake.eventBridge.events.slice(firstEvent),
  });

  let physicalResourceId: string;
  try {
    physicalResourceId = (await onEvent(request)).PhysicalResourceId;
  } catch (error) {
    return finish('FAILED', request.PhysicalResourceId ?? '', { reason: errorMessage(error) });
  }
  if (request.RequestType !== 'Create' && physicalResourceId !== request.PhysicalResourceId) {
    throw new Error(`onEvent changed the physical id of an ${request.RequestType} from ${request.PhysicalResourceId} to ${physicalResourceId}; CloudFormation would replace the resource`);
  }

  const event: ReleaseRequest = { ...request, PhysicalResourceId: physicalResourceId };
  const stateName = String(options.properties.StateParameterName);
  const initialState = fake.releaseState(stateName);
  const initialLiveDesired = initialState?.live ? fake.autoScaling.groups.get(initialState.live.autoScalingGroupName)?.desired : undefined;
  const memory = new Map<string, unknown>();
  const interval = (options.queryIntervalSeconds ?? 10) * 1000;
  const polls = Math.floor(((options.totalTimeoutSeconds ?? 3600) * 1000) / interval) + 1;
  const invariants = options.invariants ?? STANDARD_INVARIANTS;

  for (let tick = 0; tick < polls; tick++) {
    fake.reconcile();
    const hookContext = { fake, tick, elapsedSeconds: (fake.clock.now() - startedAt) / 1000, request: event };
    await options.beforeTick?.(hookContext);
    fake.reconcile();

    const result = await fake.runInvocation(() => isComplete(event));
    if (options.pollTwice && result.kind !== 'crashed') {
      await pollAgain(fake, event, stateName, result, tick);
    }
    const outcome = classify(result);
    const state = fake.releaseState(stateName);
    ticks.push({
      tick,
      at: (fake.clock.now() - startedAt) / 1000,
      outcome: outcome.poll,
      phase: state?.deploymentId === requestId ? state.phase : undefined,
      detail: outcome.detail,
    });

    const context: InvariantContext = {
      fake,
      tick,
      requestId,
      listenerArn: String(options.properties.ListenerArn),
      priority: Number(options.properties.Priority),
      stateParameterName: stateName,
      outcome: outcome.poll,
      initialState,
      initialLiveDesired,
      startedAt,
      memory,
    };
    for (const invariant of invariants) {
      const violation = invariant.check(context);
      if (violation) {
        throw new InvariantViolation(invariant.name, tick, hookContext.elapsedSeconds, violation, ticks);
      }
    }
    await options.afterTick?.({ ...hookContext, outcome: outcome.poll });

    if (outcome.poll === 'complete') {
      return finish('SUCCESS', physicalResourceId, { data: outcome.data });
    }
    if (outcome.poll === 'failed') {
      return finish('FAILED', physicalResourceId, { reason: outcome.detail });
    }
    fake.advance(interval / 1000);
  }
  return finish('TIMED_OUT', physicalResourceId, { reason: 'Operation timed out' });
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
  const stateBefore = fake.ssm.parameters.get(stateName)?.value;
  const rulesBefore = fake.elbv2.ruleChanges.length;
  const eventsBefore = fake.eventBridge.events.length;
  const desiredBefore = [...fake.autoScaling.groups.values()].map((g) => g.desiredHistory.length).join(',');
  const second = await fake.runInvocation(() => isComplete(event));
  const problems: string[] = [];
  if (fake.ssm.parameters.get(stateName)?.value !== stateBefore) {
    problems.push(`state changed from ${stateBefore} to ${fake.ssm.parameters.get(stateName)?.value}`);
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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
