import type { Clock } from '../../../src/handlers/release-controller/clock';

/** 2026-01-01T00:00:00Z: a fixed start so runs are reproducible. */
export const SIMULATION_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * Simulated time. Nothing in the fake runs on its own: every simulated process (instance
 * launches, health checks, scheduled world changes) is computed from this clock when an API
 * is called, so `sleep` only moves the clock.
 */
export class SimClock implements Clock {
  private current: number;

  public constructor(readonly start: number = SIMULATION_START) {
    this.current = start;
  }

  public now(): number {
    return this.current;
  }

  public async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }

  public advance(ms: number): void {
    if (ms < 0) {
      throw new Error(`the simulated clock cannot go back (${ms} ms)`);
    }
    this.current += ms;
  }

  /** Seconds since the simulation started. */
  public elapsedSeconds(): number {
    return (this.current - this.start) / 1000;
  }
}
