import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { aws } from './aws';
import { ReleaseFailure, hasErrorName } from './errors';
import type { Generation } from './properties';
import type { TrafficSplit } from './traffic';

/**
 * FIRST: no generation was live. RELEASE: health-gated shift from the live generation.
 * REVERT: CloudFormation rolls back a release that had succeeded; the previous generation
 * still runs and takes traffic back at once. CONVERGE: the requested generation is already
 * live (an unchanged update, or CloudFormation's rollback after a failed release).
 */
export type ReleaseMode = 'FIRST' | 'RELEASE' | 'REVERT' | 'CONVERGE';

export type ReleasePhase =
  | 'SIZING'
  | 'ATTACHING'
  | 'WAITING_HEALTHY'
  | 'SHIFTING'
  | 'BAKING'
  | 'DRAINING'
  | 'COMMITTING'
  | 'RESTORING'
  | 'COMMITTED'
  | 'FAILED';

/** Outcome reported in the resource's Outcome attribute and in events. */
export type ReleaseOutcome = 'RELEASED' | 'REVERTED' | 'UNCHANGED' | 'ROLLED_BACK';

/**
 * A rule write the controller is about to make. Saved before the write, so a poll that finds
 * the rule already matching it knows the write happened (and what it meant) even if the
 * Lambda died before saving the result; a rule matching neither this nor `written` was
 * changed by someone else.
 */
export interface PendingWrite {
  readonly kind: 'attach' | 'step' | 'commit' | 'restore';
  readonly split: TrafficSplit;
  /** For 'step': the index in the traffic schedule. */
  readonly step?: number;
  readonly at: number;
}

/** Everything the controller knows between polls; kept in one SSM parameter (4 KB standard tier). */
export interface ReleaseState {
  readonly version: 1;
  /** Physical id of the release resource that owns this state. */
  readonly owner: string;
  /** CloudFormation RequestId of the request being (or last) worked on. */
  readonly deploymentId: string;
  /** Earlier request ids; their polls are stale and must change nothing. */
  readonly superseded: readonly string[];
  readonly mode: ReleaseMode;
  readonly phase: ReleasePhase;
  /** The generation serving traffic (during a release: the old one, until commit). */
  readonly live?: Generation;
  /** Request that made `live` live. */
  readonly liveSince?: string;
  /** The generation that was live before `live`. */
  readonly previous?: Generation;
  /** The generation this request makes live. */
  readonly candidate?: Generation;
  readonly listenerArn: string;
  readonly ruleArn?: string;
  /** Instances the candidate must have healthy before it gets traffic. */
  readonly desired?: number;
  /** Index of the last traffic step written; -1 before the first. */
  readonly step: number;
  /** What the controller last wrote to the rule. */
  readonly written?: TrafficSplit;
  readonly pending?: PendingWrite;
  readonly startedAt: number;
  readonly phaseAt: number;
  readonly stepAt?: number;
  /** When the candidate reached 100 % (the old group has had weight 0 since). */
  readonly fullAt?: number;
  readonly healthDeadline?: number;
  /** Since when DescribeAlarms has failed without a break (InsufficientDataPolicy FAIL only). */
  readonly alarmsUnreadableSince?: number;
  readonly outcome?: ReleaseOutcome;
  /** Why the release failed. */
  readonly reason?: string;
}

// SSM standard-tier parameters hold at most 4096 characters.
const MAX_VALUE_LENGTH = 4096;

/** The state, or undefined when the parameter does not exist. */
export async function loadState(parameterName: string): Promise<ReleaseState | undefined> {
  let value: string | undefined;
  try {
    const out = await aws().ssm.send(new GetParameterCommand({ Name: parameterName }));
    value = out.Parameter?.Value;
  } catch (error) {
    if (hasErrorName(error, 'ParameterNotFound')) {
      return undefined;
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new ReleaseFailure(`SSM parameter ${parameterName} does not hold release controller state; it is reserved for this deployment (delete it or choose another StateParameterName)`);
  }
  return parsed as ReleaseState;
}

/** Write the state (whole value; the parameter is created on first write). */
export async function saveState(parameterName: string, state: ReleaseState): Promise<void> {
  let trimmed = state;
  let value = JSON.stringify(trimmed);
  while (value.length > MAX_VALUE_LENGTH && trimmed.superseded.length > 0) {
    trimmed = { ...trimmed, superseded: trimmed.superseded.slice(1) };
    value = JSON.stringify(trimmed);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throw new ReleaseFailure(`release state for ${parameterName} is ${value.length} characters, over the SSM limit of ${MAX_VALUE_LENGTH}`);
  }
  await aws().ssm.send(new PutParameterCommand({ Name: parameterName, Value: value, Type: 'String', Overwrite: true }));
}

/** Delete the state; false when it was already gone. */
export async function deleteState(parameterName: string): Promise<boolean> {
  try {
    await aws().ssm.send(new DeleteParameterCommand({ Name: parameterName }));
    return true;
  } catch (error) {
    if (hasErrorName(error, 'ParameterNotFound')) {
      return false;
    }
    throw error;
  }
}
