/**
 * Results of a pure function of a string, kept because apps compute the same ones for every
 * image and stack. Emptied when it reaches its bound, so that a long-lived process (a test
 * runner, a watch) does not grow without end.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  /** The value kept for `key`, or what `compute` returns for it, kept from then on. */
  public get(key: string, compute: () => V): V {
    const known = this.values.get(key);
    if (known !== undefined) {
      return known;
    }
    const value = compute();
    if (this.values.size >= this.maxEntries) {
      this.values.clear();
    }
    this.values.set(key, value);
    return value;
  }
}
