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
 * next poll just because one call was throttled. About 16 s of back-off in total, well
 * inside the isComplete function's timeout.
 */
export const RESTORE_RETRY: RetryOptions = { attempts: 8, baseDelayMs: 250, maxDelayMs: 4_000 };

/**
 * Run `fn`, retrying transient errors with exponential back-off. The delays carry no jitter
 * so a simulated run is reproducible; the SDK's adaptive retry mode already spreads load.
 * Non-transient errors and the last transient one are thrown.
 */
export async function retryTransient<T>(what: string, fn: () => Promise<T>, options: RetryOptions = RESTORE_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      // A lost lease is final for this poll: another poll owns the deployment now.
      if (!isTransient(error) || error instanceof LeaseLost || attempt >= options.attempts) {
        throw error;
      }
      const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      log.warn('transient error, retrying', { operation: what, attempt, delayMs: delay, error: describeError(error) });
      await sleep(delay);
    }
  }
}
