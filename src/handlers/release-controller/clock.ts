/**
 * The controller reads time only through this module, so the test harness can run a whole
 * release (an hour of waiting) against a simulated clock in milliseconds of real time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

let current: Clock = systemClock;

/** Current time in milliseconds since the epoch. */
export function now(): number {
  return current.now();
}

/** Wait `ms` milliseconds of clock time. */
export function sleep(ms: number): Promise<void> {
  return current.sleep(ms);
}

/** Replace the clock (tests); call with no argument to go back to the system clock. */
export function setClock(clock?: Clock): void {
  current = clock ?? systemClock;
}
