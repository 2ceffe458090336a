import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * What a listener rule's forward action does with traffic: weight per target group and
 * stickiness. Plain data, kept in the controller's state as "what I last wrote".
 */
export interface TrafficSplit {
  /** [target group ARN, weight 0-999]; weights are relative, only their ratio matters. */
  readonly weights: ReadonlyArray<readonly [string, number]>;
  /** Target group stickiness duration; 0 = off. */
  readonly stickinessSeconds: number;
}

/** All traffic to one target group, nothing else referenced (what cutover and restore write). */
export function forwardOnly(targetGroupArn: string): TrafficSplit {
  return { weights: [[targetGroupArn, 1]], stickinessSeconds: 0 };
}

/**
 * `percent` of traffic to `to`, the rest to `from`. Both stay in the action even at 0 %,
 * because the load balancer health-checks only target groups that a rule references.
 * Stickiness applies only while both groups take traffic: a sticky client stays on its
 * group whatever the weights, so stickiness at 0 % (attaching) would pin every client to
 * the old generation for the canary, and at 100 % would keep pinned clients on the old
 * generation through the bake.
 */
export function weightedSplit(from: string, to: string, percent: number, stickinessSeconds: number): TrafficSplit {
  return { weights: [[from, 100 - percent], [to, percent]], stickinessSeconds: percent > 0 && percent < 100 ? stickinessSeconds : 0 };
}

/** The ELBv2 actions for a split (whole list: ModifyRule replaces it). */
export function splitToActions(split: TrafficSplit): Action[] {
  if (split.weights.length === 1 && split.stickinessSeconds === 0) {
    return [{ Type: 'forward', Order: 1, TargetGroupArn: split.weights[0][0] }];
  }
  return [{
    Type: 'forward',
    Order: 1,
    ForwardConfig: {
      TargetGroups: split.weights.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
      ...(split.stickinessSeconds > 0
        ? { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: split.stickinessSeconds } }
        : {}),
    },
  }];
}

/**
 * Read a rule's actions back. DescribeRules reports a single-target forward both as
 * TargetGroupArn and as a one-entry ForwardConfig; either form gives the same split.
 * Undefined when the rule does not end in a forward action (someone else's rule).
 */
export function splitFromActions(actions: readonly Action[] | undefined): TrafficSplit | undefined {
  const ordered = [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  const last = ordered[ordered.length - 1];
  if (!last || last.Type !== 'forward') {
    return undefined;
  }
  const config = last.ForwardConfig;
  const stickiness = config?.TargetGroupStickinessConfig?.Enabled ? config.TargetGroupStickinessConfig.DurationSeconds ?? 0 : 0;
  const tuples = config?.TargetGroups ?? [];
  if (tuples.length > 0) {
    return {
      weights: tuples.map((t) => [t.TargetGroupArn ?? '', t.Weight ?? 1] as const),
      stickinessSeconds: stickiness,
    };
  }
  return last.TargetGroupArn ? { weights: [[last.TargetGroupArn, 1]], stickinessSeconds: stickiness } : undefined;
}

/** Percent (0-100) of traffic that goes to `targetGroupArn`. */
export function shareOf(split: TrafficSplit, targetGroupArn: string): number {
  const total = split.weights.reduce((sum, [, w]) => sum + w, 0);
  if (total === 0) {
    return 0;
  }
  const weight = split.weights.filter(([arn]) => arn === targetGroupArn).reduce((sum, [, w]) => sum + w, 0);
  return (weight * 100) / total;
}

/** Target groups the split references, at any weight. */
export function referencedTargetGroups(split: TrafficSplit): string[] {
  return [...new Set(split.weights.map(([arn]) => arn))];
}

/** True when the split forwards everything to `targetGroupArn` and references nothing else. */
export function forwardsOnlyTo(split: TrafficSplit | undefined, targetGroupArn: string): boolean {
  return split !== undefined && referencedTargetGroups(split).length === 1 && shareOf(split, targetGroupArn) === 100;
}

/** Same traffic: same target groups referenced, same shares, same stickiness. */
export function sameSplit(a: TrafficSplit | undefined, b: TrafficSplit | undefined): boolean {
  if (a === undefined || b === undefined) {
    return a === b;
  }
  const groupsA = referencedTargetGroups(a).sort();
  const groupsB = referencedTargetGroups(b).sort();
  if (groupsA.length !== groupsB.length || groupsA.some((arn, i) => arn !== groupsB[i])) {
    return false;
  }
  return a.stickinessSeconds === b.stickinessSeconds
    && groupsA.every((arn) => Math.abs(shareOf(a, arn) - shareOf(b, arn)) < 1e-9);
}

/** "app-v1 90 %, app-v2 10 %", for messages. */
export function describeSplit(split: TrafficSplit | undefined): string {
  if (split === undefined) {
    return 'no forward action';
  }
  const parts = referencedTargetGroups(split).map((arn) => `${targetGroupName(arn)} ${round(shareOf(split, arn))} %`);
  return split.stickinessSeconds > 0 ? `${parts.join(', ')} (sticky ${split.stickinessSeconds} s)` : parts.join(', ');
}

/** The name part of a target group ARN (…:targetgroup/<name>/<id>). */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
