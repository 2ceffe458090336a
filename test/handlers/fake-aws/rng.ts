/* eslint-disable no-bitwise -- mulberry32 is defined in 32-bit integer operations */
/**
 * A small seeded PRNG (mulberry32): the same seed gives the same fault sequence, so a
 * failing probabilistic run can be replayed exactly.
 */
export class SeededRandom {
  private state: number;

  public constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `length` lowercase hex digits. */
  public hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) {
      out += this.int(16).toString(16);
    }
    return out;
  }
}
