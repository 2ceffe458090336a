import { remainingMs } from './budget';
import { sleep } from './clock';
import { LeaseLost, describeError, isTransient } from './errors';
import { log } from './log';

/** How hard to retry transient errors inside one invocation. */
export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * For the restore path: putting traffic back on the old generation must not wait for the
 * next poll just because one call was throttled. About 16 s of back-off in total.
 */
export const RESTORE_RETRY: RetryOptions = { attempts: 8, baseDelayMs: 250, maxDelayMs: 4_000 };

/**
 * Time a retry loop leaves for the rest of its poll when it gives up: one more SDK call at
 * worst (three attempts of up to 3 s to connect and 10 s to answer, with back-off) and the
 * poll's final save. Every attempt here is the SDK's maxAttempts (3) on the wire, so
 * retrying without looking at the clock could outlast the Lambda's timeout.
 */
export const POLL_RESERVE_MS = 45_000;

/**
 * Run `fn`, retrying transient errors with exponential back-off while the invocation has
 * time for it (see POLL_RESERVE_MS). The delays carry no jitter so a simulated run is
 * reproducible; the SDK's adaptive retry mode already spreads load. Non-transient errors and
 * the last transient one are thrown.
 */
export async function retryTransient<T>(what: string, fn: () => Promise<T>, options: RetryOptions = RESTORE_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      // A lost lease is final for this poll: another poll owns the deployment now. Past the
      // time budget, the rest is left to the next poll.
      if (!isTransient(error) || error instanceof LeaseLost || attempt >= options.attempts || remainingMs() - delay < POLL_RESERVE_MS) {
        throw error;
      }
      log.warn('transient error, retrying', { operation: what, attempt, delayMs: delay, error: describeError(error) });
      await sleep(delay);
    }
  }
}
