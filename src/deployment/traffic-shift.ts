import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import type { ReleaseStrategy } from '../release-contract/release-properties';
import { trafficSteps } from '../release-contract/traffic-steps';

/**
 * One step size and the time between steps, for canary and linear shifts.
 */
export interface TrafficShiftStepOptions {
  /**
   * Percent of traffic moved to the new generation at each step (canary: the first step only),
   * a whole number from 1 to 99.
   */
  readonly percent: number;

  /**
   * How long traffic stays at each partial weight before the next step, while the release
   * checks the alarms.
   */
  readonly interval: Duration;
}

/**
 * How traffic moves from the live generation to a new one once the new one is healthy.
 * The step intervals count towards the one-hour limit of a release.
 */
export class TrafficShift {
  /**
   * All traffic moves to the new generation in one step; the bake time is when alarms can
   * still roll it back.
   */
  public static allAtOnce(): TrafficShift {
    return new TrafficShift('ALL_AT_ONCE', 100, Duration.seconds(0));
  }

  /**
   * `percent` of traffic moves first and stays for `interval`; then the rest moves at once.
   */
  public static canary(options: TrafficShiftStepOptions): TrafficShift {
    return new TrafficShift('CANARY', options.percent, options.interval);
  }

  /**
   * `percent` more of the traffic moves every `interval` until the new generation has it all
   * (for example 25 % every 2 minutes: 25, 50, 75, then 100 % after 6 minutes).
   */
  public static linear(options: TrafficShiftStepOptions): TrafficShift {
    return new TrafficShift('LINEAR', options.percent, options.interval);
  }

  /** @internal */
  public readonly _strategy: ReleaseStrategy;

  /** Percent moved per step: the first step for canary, every step for linear, 100 for all-at-once. */
  public readonly percent: number;

  /** Time spent at each partial weight. */
  public readonly interval: Duration;

  private constructor(strategy: ReleaseStrategy, percent: number, interval: Duration) {
    this._strategy = strategy;
    this.percent = percent;
    this.interval = interval;
  }

  /**
   * The traffic percentages the new generation gets in turn, ending at 100.
   */
  public get steps(): number[] {
    // A token percent is refused by _validate; until then it moves everything at once.
    return trafficSteps(this._strategy, isConcreteNumber(this.percent) ? this.percent : Number.NaN);
  }

  /**
   * How long the shift takes from the first step to 100 %: one interval at each partial
   * weight. Zero for all-at-once.
   */
  public get totalDuration(): Duration {
    const waits = this.steps.length - 1;
    if (waits === 0 || this.interval.isUnresolved()) {
      return Duration.seconds(0);
    }
    return Duration.seconds(waits * this.interval.toSeconds({ integral: false }));
  }

  /**
   * Checks the shift's settings, naming `prop` of `scope` in the error.
   *
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): void {
    if (this._strategy === 'ALL_AT_ONCE') {
      return;
    }
    const kind = this._strategy === 'CANARY' ? 'canary' : 'linear';
    if (isConcreteNumber(this.percent) && (!Number.isInteger(this.percent) || this.percent < 1 || this.percent > 99)) {
      invalidProp(scope, `${prop}.percent`, this.percent,
        `a ${kind} shift moves a whole percentage from 1 to 99 per step (100 would be all at once)`,
        `Give TrafficShift.${kind}({ percent }) a whole number from 1 to 99, or use TrafficShift.allAtOnce()`);
    }
    if (!isConcreteNumber(this.percent)) {
      invalidProp(scope, `${prop}.percent`, this.percent, 'the step percentage decides the release schedule, which is checked against the one-hour limit at synth time',
        'Give a literal number from 1 to 99');
    }
    if (this.interval.isUnresolved()) {
      invalidProp(scope, `${prop}.interval`, this.interval.toString(), 'the interval decides the release schedule, which is checked against the one-hour limit at synth time',
        'Give a literal Duration such as Duration.minutes(5)');
    }
    const seconds = this.interval.toSeconds({ integral: false });
    if (seconds < 0) {
      invalidProp(scope, `${prop}.interval`, `${seconds} seconds`, 'an interval cannot be negative', 'Give a Duration of zero or more');
    }
    if (!Number.isInteger(seconds)) {
      invalidProp(scope, `${prop}.interval`, `${seconds} seconds`, 'the release controller counts whole seconds', 'Give a whole number of seconds');
    }
  }
}

function isConcreteNumber(value: number): boolean {
  return typeof value === 'number' && !Token.isUnresolved(value);
}
