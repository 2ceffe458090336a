/** Where a command writes its result. */
export interface OutputStream {
  write(text: string): unknown;
}

/** A command's machine-readable result (`--json`): one JSON document on standard output. */
export function writeJson(out: OutputStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
