import { ProgressStream } from './progress';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * What a long command undoes when it is interrupted (Ctrl-C, SIGTERM, a closed terminal): the
 * cleanups run newest first, then the command line ends by the same signal, so the shell sees
 * the usual status (130 for Ctrl-C). A second signal during the cleanup does not cut it short.
 * SIGKILL cannot be caught: what must not outlive the command line dies with it by other means
 * (see the bake sandbox's isolation).
 */
export class Interruption {
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private handling = false;
  private readonly handler: (signal: NodeJS.Signals) => void;

  constructor(private readonly stderr: ProgressStream, private readonly what: string) {
    this.handler = signal => void this.interrupt(signal);
  }

  /** Registers a cleanup; returns a function that unregisters it (when its work is done). */
  public add(cleanup: () => Promise<void> | void): () => void {
    this.cleanups.push(cleanup);
    return () => {
      const index = this.cleanups.indexOf(cleanup);
      if (index >= 0) {
        this.cleanups.splice(index, 1);
      }
    };
  }

  public install(): void {
    for (const signal of SIGNALS) {
      process.on(signal, this.handler);
    }
  }

  public uninstall(): void {
    for (const signal of SIGNALS) {
      process.removeListener(signal, this.handler);
    }
  }

  private async interrupt(signal: NodeJS.Signals): Promise<void> {
    if (this.handling) {
      return;
    }
    this.handling = true;
    this.stderr.write(`\n${signal}: stopping ${this.what} ...\n`);
    for (const cleanup of [...this.cleanups].reverse()) {
      try {
        await cleanup();
      } catch (e) {
        this.stderr.write(`cleanup failed: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    this.stderr.write(`stopped: nothing of ${this.what} is left running or mounted\n`);
    this.uninstall();
    process.kill(process.pid, signal);
  }
}
