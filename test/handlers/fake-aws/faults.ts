import type { SeededRandom } from './rng';

/**
 * throttle / server-error / access-denied / timeout: the call fails before it reaches the
 * service (access-denied: IAM refused it, as when the role lacks the permission).
 * lost-response: the service applies the call, then the client times out (it cannot know).
 * crash-before / crash-after: the Lambda invocation dies before / after the call takes
 * effect; nothing after that point runs (see FakeAws.runInvocation).
 */
export type FaultKind = 'throttle' | 'server-error' | 'access-denied' | 'timeout' | 'lost-response' | 'crash-before' | 'crash-after';

/**
 * Which calls a fault hits: an operation name ('ModifyRule'), a qualified one
 * ('elbv2:ModifyRule'), a service wildcard ('dynamodb:*'), '*', a RegExp over the qualified
 * name, or a predicate.
 */
export type OperationMatcher = string | RegExp | ((qualifiedOperation: string) => boolean);

export interface FaultRule {
  readonly kind: FaultKind;
  /** Default: every operation. */
  readonly operation?: OperationMatcher;
  /** How many times the fault fires before it retires. Default: unlimited. */
  readonly times?: number;
  /** Chance per matching call, drawn from the fake's seeded RNG. Default: 1. */
  readonly probability?: number;
  /** Matching calls to let through before the fault starts firing. Default: 0. */
  readonly skip?: number;
  /** Simulated time window (ms since the epoch) in which the fault is active. */
  readonly from?: number;
  readonly until?: number;
}

/** A fault that was added, with how often it matched and fired. */
export interface ActiveFault {
  readonly rule: FaultRule;
  matched: number;
  fired: number;
  remove(): void;
}

export function matchesOperation(matcher: OperationMatcher | undefined, qualified: string): boolean {
  if (matcher === undefined || matcher === '*') {
    return true;
  }
  if (typeof matcher === 'function') {
    return matcher(qualified);
  }
  if (matcher instanceof RegExp) {
    return matcher.test(qualified);
  }
  const [service, operation] = qualified.split(':');
  return matcher === qualified || matcher === operation || matcher === `${service}:*`;
}

/** Decides, call by call, which fault (if any) hits. Rules are consulted in the order added. */
export class FaultInjector {
  /** While true no fault fires and no rule counts a match (the harness's re-entry poll). */
  public paused = false;
  private readonly active: ActiveFault[] = [];

  public constructor(private readonly random: SeededRandom) {}

  public add(rule: FaultRule): ActiveFault {
    const fault: ActiveFault = {
      rule,
      matched: 0,
      fired: 0,
      remove: () => {
        const index = this.active.indexOf(fault);
        if (index >= 0) {
          this.active.splice(index, 1);
        }
      },
    };
    this.active.push(fault);
    return fault;
  }

  public clear(): void {
    this.active.length = 0;
  }

  public decide(qualifiedOperation: string, now: number): FaultKind | undefined {
    if (this.paused) {
      return undefined;
    }
    for (const fault of this.active) {
      const rule = fault.rule;
      if (!matchesOperation(rule.operation, qualifiedOperation)) {
        continue;
      }
      if ((rule.from !== undefined && now < rule.from) || (rule.until !== undefined && now >= rule.until)) {
        continue;
      }
      fault.matched++;
      if (fault.matched <= (rule.skip ?? 0)) {
        continue;
      }
      if (rule.times !== undefined && fault.fired >= rule.times) {
        continue;
      }
      // Only probabilistic rules draw, so adding a certain fault leaves the random sequence
      // of the others (and so a seeded run) unchanged.
      if (rule.probability !== undefined && rule.probability < 1 && this.random.next() >= rule.probability) {
        continue;
      }
      fault.fired++;
      return rule.kind;
    }
    return undefined;
  }
}
