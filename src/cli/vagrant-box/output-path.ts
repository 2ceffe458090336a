import * as fs from 'fs';
import * as path from 'path';
import { usageError } from '../core/cli-error';

/**
 * The file or folder a command writes, written under a temporary name beside it and renamed into
 * place only when complete: a failure or an interruption leaves the old output (or nothing), never
 * a half-written one.
 */
export class OutputPath {
  public readonly temp: string;

  constructor(public readonly target: string, force: boolean) {
    if (fs.existsSync(target) && !force) {
      throw usageError(`--out ${target}: already exists: choose another path, or add --force to replace it`);
    }
    const dir = path.dirname(target);
    if (!fs.existsSync(dir)) {
      throw usageError(`--out ${target}: the folder ${dir} does not exist: create it first`);
    }
    this.temp = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  }

  /** Moves the finished output into place. */
  public commit(): void {
    fs.rmSync(this.target, { recursive: true, force: true });
    fs.renameSync(this.temp, this.target);
  }

  /** Removes what was written (safe to call twice). */
  public discard(): void {
    fs.rmSync(this.temp, { recursive: true, force: true });
  }
}
