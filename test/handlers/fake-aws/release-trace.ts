import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { referencedGroups, trafficShares, type RuleRecord } from './elbv2';
import type { FakeAws } from './fake-aws';
import type { PollOutcome } from './invariants';
import { WARM_UP_HEADER } from '../../../src/release-contract/events';

/** The generation key of one of the fake's target groups (…:targetgroup/web-<key>/<id>). */
export function generationOf(targetGroupArn: string): string {
  return /:targetgroup\/web-([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}

function isWarmUp(conditions: readonly RuleCondition[] | undefined): boolean {
  return (conditions ?? []).some((c) => c.Field === 'http-header' && c.HttpHeaderConfig?.HttpHeaderName === WARM_UP_HEADER);
}

function isSticky(actions: readonly Action[]): boolean {
  return actions.some((a) => a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled === true);
}

/**
 * One rule state in a few characters, by generation key: "a:100 b:0", plus " sticky" and
 * " warm-up" when they apply. Two writes with the same description have the same effect.
 */
export function describeRuleState(actions: readonly Action[] | undefined, conditions?: readonly RuleCondition[]): string {
  if (!actions) {
    return 'none';
  }
  const shares = [...trafficShares(actions)].map(([arn, share]) => `${generationOf(arn)}:${Math.round(share * 10) / 10}`);
  return [shares.join(' '), isSticky(actions) ? 'sticky' : '', isWarmUp(conditions) ? 'warm-up' : ''].filter(Boolean).join(' ');
}

/** Drops consecutive repeats: what a sequence of writes did, whatever was written twice. */
export function collapse<T>(values: readonly T[]): T[] {
  return values.filter((value, i) => i === 0 || value !== values[i - 1]);
}

/** True when `prefix` is the start of `whole`. */
export function isPrefix<T>(prefix: readonly T[], whole: readonly T[]): boolean {
  return prefix.length <= whole.length && prefix.every((value, i) => value === whole[i]);
}

/**
 * The rule states the controller wrote (CreateRule and ModifyRule that took effect), from
 * the `from`-th rule change on, consecutive repeats collapsed. A write that only repeats the
 * previous state is an idempotent repeat; anything else shows in the sequence.
 */
export function ruleWrites(fake: FakeAws, from = 0, ruleArn?: string): string[] {
  return collapse(fake.elbv2.ruleChanges.slice(from)
    .filter((c) => c.by === 'api' && (c.kind === 'create' || c.kind === 'modify') && (ruleArn === undefined || c.ruleArn === ruleArn))
    .map((c) => describeRuleState(c.actions, c.conditions)));
}

/** The rule after one poll, with what the load balancer thinks of each generation. */
export interface TraceSample {
  readonly tick: number;
  /** Seconds since the drive started. */
  readonly at: number;
  /** Simulated time (ms). */
  readonly time: number;
  readonly outcome: PollOutcome;
  /** describeRuleState of the rule, or 'none'. */
  readonly rule: string;
  /** Percent of traffic per generation key (empty without a rule). */
  readonly shares: Readonly<Record<string, number>>;
  readonly referenced: readonly string[];
  readonly sticky: boolean;
  readonly warmUp: boolean;
  /** Healthy targets per generation key the rule references. */
  readonly healthy: Readonly<Record<string, number>>;
}

/** Records the deployment's rule after every poll of the drives it is handed to. */
export class TrafficTrace {
  public readonly samples: TraceSample[] = [];

  public constructor(private readonly fake: FakeAws, private readonly rule: () => RuleRecord | undefined) {}

  /** Pass as a drive's afterTick (or call from one). */
  public readonly afterTick = (context: { tick: number; elapsedSeconds: number; outcome: PollOutcome }): void => {
    const rule = this.rule();
    const actions = rule?.actions ?? [];
    const shares: Record<string, number> = {};
    for (const [arn, share] of trafficShares(actions)) {
      shares[generationOf(arn)] = share;
    }
    const referenced = referencedGroups(actions);
    this.samples.push({
      tick: context.tick,
      at: context.elapsedSeconds,
      time: this.fake.clock.now(),
      outcome: context.outcome,
      rule: rule ? describeRuleState(rule.actions, rule.conditions) : 'none',
      shares,
      referenced: referenced.map(generationOf),
      sticky: isSticky(actions),
      warmUp: isWarmUp(rule?.conditions),
      healthy: Object.fromEntries(referenced.map((arn) => [generationOf(arn), this.fake.elbv2.healthyCount(arn)])),
    });
  };

  public get last(): TraceSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** The distinct percentages `key` had, in order. */
  public steps(key: string): number[] {
    return collapse(this.samples.map((s) => s.shares[key] ?? 0));
  }

  /** The first sample at which `key` had at least `percent`, if any. */
  public firstAt(key: string, percent: number): TraceSample | undefined {
    return this.samples.find((s) => (s.shares[key] ?? 0) >= percent);
  }
}

interface Cookie {
  readonly targetGroupArn: string;
  readonly expiresAt: number;
}

/**
 * Clients of the load balancer, each with its target group stickiness cookie. A request
 * follows the rule's forward action: a client whose cookie names a group the action still
 * references goes there whatever the weights (stickiness takes precedence over weights,
 * even a weight of 0, until the cookie expires); any other client is placed by weight, and
 * gets a cookie when the action has stickiness on. Placement is spread evenly and
 * deterministically over the clients, so a run is reproducible.
 */
export class ClientPopulation {
  private readonly cookies: (Cookie | undefined)[];

  public constructor(private readonly fake: FakeAws, readonly size: number) {
    this.cookies = new Array<Cookie | undefined>(size).fill(undefined);
  }

  /** Every client sends one request through `rule`; the generation key that served each ('503' when none). */
  public request(rule: RuleRecord | undefined): string[] {
    const now = this.fake.clock.now();
    const forward = rule?.actions.find((a) => a.Type === 'forward');
    if (!forward) {
      return this.cookies.map(() => '503');
    }
    const tuples = forward.ForwardConfig?.TargetGroups?.length
      ? forward.ForwardConfig.TargetGroups.map((t) => [t.TargetGroupArn ?? '', t.Weight ?? 1] as const)
      : [[forward.TargetGroupArn ?? '', 1] as const];
    const stickiness = forward.ForwardConfig?.TargetGroupStickinessConfig;
    const sticky = stickiness?.Enabled === true;
    const total = tuples.reduce((sum, [, w]) => sum + w, 0);
    return this.cookies.map((cookie, i) => {
      if (sticky && cookie && cookie.expiresAt > now && tuples.some(([arn]) => arn === cookie.targetGroupArn)) {
        return generationOf(cookie.targetGroupArn);
      }
      if (total === 0) {
        return '503';
      }
      // A low-discrepancy point per client: even spread, no randomness.
      let point = (((i + 0.5) * 0.6180339887) % 1) * total;
      let chosen = tuples[tuples.length - 1][0];
      for (const [arn, weight] of tuples) {
        if (point < weight) {
          chosen = arn;
          break;
        }
        point -= weight;
      }
      if (sticky) {
        this.cookies[i] = { targetGroupArn: chosen, expiresAt: now + (stickiness?.DurationSeconds ?? 0) * 1000 };
      }
      return generationOf(chosen);
    });
  }
}
