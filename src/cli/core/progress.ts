import { formatSeconds } from './table';

/** Where progress goes: standard error, so standard output keeps only the result. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Plain lines even on a terminal (`--quiet`). */
  readonly quiet?: boolean;
  /** The clock, in milliseconds (tests pass their own). */
  readonly now?: () => number;
  /** How often the live line redraws its elapsed time, in milliseconds. */
  readonly redrawMs?: number;
}

/**
 * Progress of long work, one task at a time: on a terminal a single live line that shows the task
 * and its elapsed time and is replaced by its outcome; otherwise (a pipe, a CI log, `--quiet`)
 * plain lines, one when a task starts and one when it ends, with no control characters.
 */
export class Progress {
  public readonly live: boolean;
  private readonly now: () => number;
  private current?: { label: string; started: number };
  private timer?: NodeJS.Timeout;

  constructor(private readonly stream: ProgressStream, private readonly options: ProgressOptions = {}) {
    this.live = Boolean(stream.isTTY) && !options.quiet;
    this.now = options.now ?? Date.now;
  }

  /** A task starts. A task still open is ended first, without an outcome. */
  public begin(label: string): void {
    this.finish();
    this.current = { label, started: this.now() };
    if (this.live) {
      this.draw();
      this.timer = setInterval(() => this.draw(), this.options.redrawMs ?? 200);
      this.timer.unref();
    } else {
      this.stream.write(`${label} ...\n`);
    }
  }

  /** The open task ends with an outcome (`ok`, `failed: ...`); returns its seconds. */
  public end(outcome: string): number {
    const task = this.current;
    if (!task) {
      return 0;
    }
    const seconds = (this.now() - task.started) / 1000;
    this.finish();
    this.write(`${task.label}: ${outcome} (${formatSeconds(seconds)})`);
    return seconds;
  }

  /** A line of its own, kept above the live line. */
  public log(line: string): void {
    if (this.live && this.current) {
      this.clear();
      this.stream.write(`${line}\n`);
      this.draw();
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Stops redrawing and leaves the terminal on a clean line. */
  public close(): void {
    this.finish();
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`);
  }

  private finish(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (this.live && this.current) {
      this.clear();
    }
    this.current = undefined;
  }

  private draw(): void {
    if (!this.current) {
      return;
    }
    // The elapsed time always shows; a label too long for the terminal is shortened instead.
    const elapsed = `  ${formatSeconds((this.now() - this.current.started) / 1000)}`;
    const width = Math.max(30, (this.stream.columns || 80) - 1);
    const label = this.current.label;
    const shown = label.length + elapsed.length > width ? `${label.slice(0, width - elapsed.length - 1)}…` : label;
    this.stream.write(`\r\x1b[2K${shown}${elapsed}`);
  }

  private clear(): void {
    this.stream.write('\r\x1b[2K');
  }
}
