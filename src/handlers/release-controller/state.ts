import { ReleaseFailure } from './errors';
import type { GenerationRef } from './properties';
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
  | 'VERIFYING'
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

/** Everything the controller knows between polls; kept in the deployment's item of the state table. */
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
  readonly live?: GenerationRef;
  /** Request that made `live` live. */
  readonly liveSince?: string;
  /** The generation that was live before `live`. */
  readonly previous?: GenerationRef;
  /** The generation this request makes live. */
  readonly candidate?: GenerationRef;
  readonly listenerArn: string;
  readonly ruleArn?: string;
  /** The controller's rule on the test listener, if the deployment has one. */
  readonly testRuleArn?: string;
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
  /** When verification gives up (VERIFYING). */
  readonly verifyDeadline?: number;
  /** Invocations of the verify hook so far in this release. */
  readonly verifyAttempts?: number;
  /** When the verify hook last answered. */
  readonly verifyAt?: number;
  /** Its last answer, "NOT_YET: warming up", for the failure reason at the verify timeout. */
  readonly verifyLast?: string;
  /** When the candidate passed verification; no traffic step is written before. */
  readonly verifiedAt?: number;
  /** Since when DescribeAlarms has failed without a break (InsufficientDataPolicy FAIL only). */
  readonly alarmsUnreadableSince?: number;
  readonly outcome?: ReleaseOutcome;
  /** Why the release failed. */
  readonly reason?: string;
}

/**
 * The state is small by construction: three generations, the ids of the last few requests,
 * one traffic split, timestamps and one bounded reason. Nothing in it grows with the fleet
 * (health is summarised in counts before it reaches a reason), so it stays far below
 * DynamoDB's 400 KB item limit; this bound (SSM's old 4 KB) catches a regression.
 */
export const MAX_STATE_LENGTH = 4096;

/** Longest reason kept; CloudFormation shows failure reasons of a few hundred characters anyway. */
export const MAX_REASON_LENGTH = 1000;

/** The state as stored. */
export function serializeState(state: ReleaseState): string {
  const bounded = state.reason !== undefined ? { ...state, reason: boundReason(state.reason) } : state;
  const value = JSON.stringify(bounded);
  if (value.length > MAX_STATE_LENGTH) {
    throw new Error(`release state of ${value.length} characters is over its bound of ${MAX_STATE_LENGTH}: ${value.slice(0, 200)}…`);
  }
  return value;
}

/** The state from its stored form; undefined when nothing is stored. */
export function parseState(deployment: string, value: string | undefined): ReleaseState | undefined {
  if (value === undefined) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new ReleaseFailure(`the state table holds no release controller state for deployment ${deployment} (${value.slice(0, 100)}); delete the item or give the deployment another name`);
  }
  return parsed as ReleaseState;
}

/** A reason cut to MAX_REASON_LENGTH, saying how much was cut. */
export function boundReason(reason: string): string {
  if (reason.length <= MAX_REASON_LENGTH) {
    return reason;
  }
  // The note is at most 80 characters.
  const kept = MAX_REASON_LENGTH - 80;
  return `${reason.slice(0, kept)} … (${reason.length - kept} more characters in the controller's log)`;
}
