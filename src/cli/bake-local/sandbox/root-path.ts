import * as fs from 'fs';
import * as path from 'path';

/** Symbolic links followed in one path before it counts as a loop (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * The host path of `guestPath` inside the root filesystem at `root`, with symbolic links resolved
 * the way the guest sees them: an absolute link target starts again at the guest's root, and
 * `..` never climbs above it. Relative guest paths start at `cwd`. The last component is followed
 * only when `followLast` (a DeleteFile of a link deletes the link, not its target).
 */
export function resolveInRoot(root: string, guestPath: string, options: { cwd?: string; followLast?: boolean } = {}): string {
  const followLast = options.followLast ?? true;
  const pending = splitPath(path.posix.resolve(options.cwd ?? '/', guestPath));
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') {
      continue;
    }
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    const isLast = pending.length === 0;
    let target: string | undefined;
    if (!isLast || followLast) {
      try {
        if (fs.lstatSync(candidate).isSymbolicLink()) {
          target = fs.readlinkSync(candidate);
        }
      } catch {
        // Missing: the rest of the path is taken as written.
      }
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) {
      throw new Error(`${guestPath}: too many levels of symbolic links`);
    }
    if (target.startsWith('/')) {
      resolved.length = 0;
    }
    pending.unshift(...splitPath(target));
  }
  return path.join(root, ...resolved);
}

/** The guest path of a host path inside `root` (for messages). */
export function guestPathOf(root: string, hostPath: string): string {
  const relative = path.relative(root, hostPath);
  return `/${relative.split(path.sep).join('/')}`;
}

function splitPath(value: string): string[] {
  return value.split('/').filter(part => part !== '');
}
