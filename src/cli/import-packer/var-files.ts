/**
 * Variable values from outside the template, with Packer's precedence: defaults, then
 * PKR_VAR_name environment variables, then `*.auto.pkrvars.hcl` (HCL2, in name order), then each
 * --var-file in the order given, then each --var (the last one wins).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseHclFile } from './hcl-parser';
import { templateError } from './template-error';
import { usageError } from '../core/cli-error';

/** One value and where it was set. */
export interface VariableValue {
  readonly value: unknown;
  /** `file:line`, `--var`, `PKR_VAR_x`. */
  readonly origin: string;
  /** The var-file the value came from, to name in a credentials warning. */
  readonly file?: string;
  readonly line?: number;
  /** Raw text still to be converted to the variable's type (--var and PKR_VAR_ give strings). */
  readonly raw?: boolean;
}

/** Reads a var-file: `.json` (both languages) or `.pkrvars.hcl` (HCL2 templates only). */
export async function readVarFile(file: string, language: 'json' | 'hcl2'): Promise<Map<string, VariableValue>> {
  if (!fs.existsSync(file)) throw usageError(`--var-file ${file}: no such file. Give the path of a .json or .pkrvars.hcl file`);
  const text = fs.readFileSync(file, 'utf8');
  const values = new Map<string, VariableValue>();
  if (file.endsWith('.json')) {
    const parsed = parseJson(file, text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw templateError(file, 1, 1, 'a JSON var-file must be an object of variable names to values');
    }
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      values.set(name, { value, origin: `${file}:${lineOf(text, `"${name}"`)}`, file, line: lineOf(text, `"${name}"`) });
    }
    return values;
  }
  if (!file.endsWith('.hcl')) {
    throw usageError(`--var-file ${file}: not a var-file Packer reads. Use a .json file or (HCL2 templates) a .pkrvars.hcl file`);
  }
  if (language === 'json') {
    throw usageError(`--var-file ${file}: a JSON template takes JSON var-files only. Convert it to a .json object of variable values`);
  }
  const parsed = await parseHclFile(file, text);
  for (const [name, value] of Object.entries(parsed)) {
    if (Array.isArray(value) || (value !== null && typeof value === 'object' && !Array.isArray(value) && isBlockShape(value))) {
      throw templateError(file, lineOf(text, name), 1, `${name} is a block; a var-file holds only name = value lines`);
    }
    values.set(name, { value, origin: `${file}:${lineOf(text, name)}`, file, line: lineOf(text, name) });
  }
  return values;
}

function isBlockShape(value: object): boolean {
  return Object.values(value).some(v => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object');
}

/** `--var K=V` flags. */
export function parseVarFlags(flags: readonly string[]): Map<string, VariableValue> {
  const values = new Map<string, VariableValue>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw usageError(`--var ${flag}: expected NAME=VALUE, e.g. --var region=eu-west-1`);
    values.set(flag.slice(0, eq), { value: flag.slice(eq + 1), origin: '--var', raw: true });
  }
  return values;
}

/** PKR_VAR_name environment variables. */
export function environmentValues(env: NodeJS.ProcessEnv): Map<string, VariableValue> {
  const values = new Map<string, VariableValue>();
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('PKR_VAR_') && value !== undefined) values.set(key.slice(8), { value, origin: key, raw: true });
  }
  return values;
}

/** Parses JSON; a syntax error names the file, line and column. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) throw templateError(file, Number(lc[1]), Number(lc[2]), `invalid JSON: ${message.replace(/ in JSON at .*| \(line.*$/, '')}`);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      throw templateError(file, line, Number(pos[1]) - before.lastIndexOf('\n'), `invalid JSON: ${message.replace(/ in JSON at .*/, '')}`);
    }
    // Older Node.js versions name no position: the shortest failing prefix ends at the error.
    const at = errorOffset(text);
    const before = text.slice(0, at);
    throw templateError(file, before.split('\n').length, at - before.lastIndexOf('\n'), `invalid JSON: ${message.replace(/, ".*" is not valid JSON$/s, '')}`);
  }
}

/** The 1-based line where `needle` first occurs (1 when absent). */
export function lineOf(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Auto-loaded var-files next to an HCL2 template (`*.auto.pkrvars.hcl`, `*.auto.pkrvars.json`). */
export function autoVarFiles(folder: string): string[] {
  return fs.readdirSync(folder).filter(f => /\.auto\.pkrvars\.(hcl|json)$/.test(f)).sort().map(f => path.join(folder, f));
}

/** The offset of a JSON syntax error: prefixes before it fail only for ending early. */
function errorOffset(text: string): number {
  const failsInside = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const message = e instanceof Error ? e.message : '';
      const position = /position (\d+)/.exec(message);
      if (/end of (JSON )?input|Unterminated string/i.test(message)) return false;
      return !(position && Number(position[1]) >= k);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (failsInside(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
