import { usageError, CliError } from '../core/cli-error';

/** Bad input in a template or var-file: one line naming the file, line and column, exit code 2. */
export function templateError(file: string, line: number | undefined, column: number | undefined, message: string): CliError {
  const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
  return usageError(`${where}: ${message}`);
}
