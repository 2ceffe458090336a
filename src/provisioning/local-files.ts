import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { ProvisionerBindContext } from './provisioner-kind';
import { refuseCredentials } from './step-settings';
import { invalidProp } from '../private/errors';

/**
 * Local files and folders that provisioners upload: existence checks and the credential scan
 * of what would end up in the image.
 */

/** Text files larger than this are not scanned (a synth should not read gigabytes). */
export const CREDENTIAL_SCAN_LIMIT_BYTES = 1024 * 1024;

/** How much of a file decides whether it is text: a NUL byte in it means binary. */
const BINARY_PROBE_BYTES = 8000;

/** What a local path turned out to be. */
export type LocalPathKind = 'file' | 'folder';

/** True when the path as written ends with a separator (Packer's "copy the folder's contents"). */
export function hasTrailingSeparator(value: string): boolean {
  return /[\\/]$/.test(value);
}

/**
 * Resolves a local path given in a prop and says whether it is a file or a folder; a missing
 * path (or a token) is a synth error naming the prop and the resolved path.
 */
export function requireLocalPath(context: ProvisionerBindContext, prop: string, value: string | undefined,
  accept: LocalPathKind[]): { resolved: string; kind: LocalPathKind } {
  const wanted = accept.length === 2 ? 'file or folder' : accept[0];
  if (value === undefined || value === '') {
    invalidProp(context.scope, `${context.prop}.${prop}`, value, `a local ${wanted} is required`,
      `Give the path of an existing ${wanted} (prefer path.join(__dirname, ...))`);
  }
  if (Token.isUnresolved(value)) {
    invalidProp(context.scope, `${context.prop}.${prop}`, value, `the local ${wanted} must be known at synth time`,
      'Give a plain path string, not a token');
  }
  const resolved = path.resolve(value);
  let kind: LocalPathKind | undefined;
  if (fs.existsSync(resolved)) {
    const stat = fs.statSync(resolved);
    kind = stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : undefined;
  }
  if (kind === undefined || !accept.includes(kind)) {
    const found = kind === undefined ? (fs.existsSync(resolved) ? 'something that is neither a file nor a folder' : 'nothing') : `a ${kind}`;
    invalidProp(context.scope, `${context.prop}.${prop}`, value, `expected a local ${wanted} at ${resolved}, found ${found}`,
      `Give the path of an existing ${wanted} (relative paths resolve from the working directory of the CDK app; prefer path.join(__dirname, ...))`);
  }
  return { resolved, kind };
}

/**
 * Refuses credentials in the text files of a local file or folder. Binary files, files larger
 * than {@link CREDENTIAL_SCAN_LIMIT_BYTES} and symbolic links are skipped. The error names the
 * file as the user would find it (`<given path>/<relative path>`).
 */
export function refuseCredentialsInFiles(context: ProvisionerBindContext, prop: string, resolved: string, shownAs: string): void {
  for (const file of listFiles(resolved)) {
    const text = readText(file);
    if (text === undefined) {
      continue;
    }
    const relative = path.relative(resolved, file);
    const shown = relative === '' ? shownAs : path.join(shownAs, relative);
    refuseCredentials(context, prop, text, `the file ${shown}`);
  }
}

/** Every regular file under a path (or the path itself), in a stable order. */
export function listFiles(root: string): string[] {
  const stat = fs.lstatSync(root);
  if (stat.isFile()) {
    return [root];
  }
  if (!stat.isDirectory()) {
    return [];
  }
  const files: string[] = [];
  const entries = fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) {
      files.push(...listFiles(full));
    } else if (entry.isFile()) {
      files.push(full);
    }
  }
  return files;
}

/** The file's text, or undefined when it is too large to scan or binary. */
function readText(file: string): string | undefined {
  if (fs.statSync(file).size > CREDENTIAL_SCAN_LIMIT_BYTES) {
    return undefined;
  }
  const content = fs.readFileSync(file);
  if (content.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
    return undefined;
  }
  return content.toString('utf8');
}

/** The path of `relative` inside `folder`, or undefined when it is absolute or leaves the folder. */
export function insideFolder(folder: string, relative: string): string | undefined {
  if (path.isAbsolute(relative)) {
    return undefined;
  }
  const full = path.resolve(folder, relative);
  const back = path.relative(folder, full);
  return back === '' || back.startsWith('..') || path.isAbsolute(back) ? undefined : full;
}
