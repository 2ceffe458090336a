/**
 * The exit codes every command of the command line uses: scripts and CI tell "the work ran and
 * failed" from "the command was given something it cannot use" by these alone.
 */
export enum ExitCode {
  /** The work ran and succeeded. */
  OK = 0,
  /** The work ran and failed: a step failed, a check matched. */
  FAILED = 1,
  /** Bad input: a flag, a file or the machine cannot serve the command; nothing was done. */
  USAGE = 2,
}

/**
 * An error a command reports as one line (no stack trace) with its exit code. The message names
 * the file, line or flag and says what to do.
 */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: ExitCode = ExitCode.USAGE) {
    super(message);
    this.name = 'CliError';
    Object.setPrototypeOf(this, CliError.prototype);
  }
}

/** Bad input: exit code 2. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}
