import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/util-retry';
import type { SeededRandom } from '../rng';
import type { SimClock } from '../sim-clock';

// The SDK caps a single back-off at 20 s (@smithy/util-retry MAXIMUM_RETRY_DELAY).
const MAXIMUM_RETRY_DELAY_MS = 20_000;

/**
 * The SDK's own adaptive retry strategy, as the controller configures it (retryMode
 * 'adaptive', maxAttempts 3): the same class decides which errors are retried, how often and
 * at what retry-quota cost. Only its waiting is simulated: the back-off (full jitter, drawn
 * from a seeded RNG instead of Math.random) and the client-side rate limiter's token-bucket
 * waits move the simulated clock instead of a real timer, so a test of throttling takes no
 * real time and replays exactly.
 */
export function simulatedRetryStrategy(clock: SimClock, random: SeededRandom, maxAttempts = 3): AdaptiveRetryStrategy {
  let base = 50;
  const backoff = {
    setDelayBase(delay: number) {
      base = delay;
    },
    computeNextBackoffDelay(attempt: number) {
      clock.advance(Math.floor(random.next() * Math.min(base * 2 ** attempt, MAXIMUM_RETRY_DELAY_MS)));
      // The strategy waits this long on a real timer: the simulated wait is already done.
      return 0;
    },
  };
  return new AdaptiveRetryStrategy(maxAttempts, { maxAttempts, backoff, rateLimiter: simulatedRateLimiter(clock) });
}

/** DefaultRateLimiter's private members this module reaches (test-only; the class keeps them private). */
interface RateLimiterInternals {
  lastThrottleTime: number;
  lastTxRateBucket: number;
  getCurrentTimeInSeconds(): number;
}

/**
 * The SDK's DefaultRateLimiter (the cubic token bucket of adaptive mode) reading the
 * simulated clock. Its waits go through the class's static timer function, which
 * installRateLimiterClock points at the simulated clock.
 */
function simulatedRateLimiter(clock: SimClock): DefaultRateLimiter {
  const limiter = new DefaultRateLimiter();
  const internals = limiter as unknown as RateLimiterInternals;
  internals.getCurrentTimeInSeconds = () => clock.now() / 1000;
  internals.lastThrottleTime = clock.now() / 1000;
  internals.lastTxRateBucket = Math.floor(clock.now() / 1000);
  return limiter;
}

type TimerFn = (resolve: () => void, delayMs: number) => void;

/**
 * Point DefaultRateLimiter's token-bucket waits at the simulated clock (a static of the SDK
 * class, so one clock at a time); returns the function that puts the real timer back.
 */
export function installRateLimiterClock(clock: SimClock): () => void {
  const statics = DefaultRateLimiter as unknown as { setTimeoutFn: TimerFn };
  const original = statics.setTimeoutFn;
  statics.setTimeoutFn = (resolve, delayMs) => {
    clock.advance(Math.max(0, Math.ceil(delayMs)));
    queueMicrotask(resolve);
  };
  return () => {
    statics.setTimeoutFn = original;
  };
}
