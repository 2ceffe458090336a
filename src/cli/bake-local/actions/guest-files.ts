import * as fs from 'fs';
import * as path from 'path';
import { ActionContext } from './action';

/** A path as the document wrote it and where it is on the host. */
export interface GuestFile {
  readonly guestPath: string;
  readonly hostPath: string;
}

/** Resolves a document's path inside the guest (relative paths start at the working directory). */
export function guestFile(context: ActionContext, guestPath: string, followLast = true): GuestFile {
  const absolute = path.posix.resolve(context.workingDirectory, guestPath);
  return { guestPath: absolute, hostPath: context.guest.resolve(absolute, { followLast }) };
}

/**
 * The paths a source with a `*` wildcard in its last component matches (AWSTOE allows wildcards
 * only after the last separator), or the path itself. A pattern that matches nothing is an error.
 */
export function expandWildcard(context: ActionContext, source: string, kind: 'file' | 'folder'): GuestFile[] {
  const absolute = path.posix.resolve(context.workingDirectory, source);
  const base = path.posix.basename(absolute);
  if (!base.includes('*')) {
    const file = guestFile(context, absolute);
    if (!exists(file.hostPath, kind)) {
      throw new Error(`${absolute}: no such ${kind}`);
    }
    return [file];
  }
  const folder = guestFile(context, path.posix.dirname(absolute));
  const pattern = wildcardPattern(base);
  const matches = (fs.existsSync(folder.hostPath) ? fs.readdirSync(folder.hostPath) : [])
    .filter(name => pattern.test(name)).sort()
    .map(name => ({ guestPath: path.posix.join(folder.guestPath, name), hostPath: path.join(folder.hostPath, name) }))
    .filter(file => exists(file.hostPath, kind));
  if (matches.length === 0) {
    throw new Error(`${absolute}: no ${kind} matches`);
  }
  return matches;
}

/** Whether a host path is a file (anything but a folder) or a folder. */
export function exists(hostPath: string, kind: 'file' | 'folder'): boolean {
  try {
    const isFolder = fs.statSync(hostPath).isDirectory();
    return kind === 'folder' ? isFolder : !isFolder;
  } catch {
    return false;
  }
}

/** Where a copy or move lands: inside `destination` when it ends with a separator (or when copying several). */
export function landingPath(context: ActionContext, source: GuestFile, destination: string, intoFolder: boolean): GuestFile {
  const target = intoFolder || /[\\/]$/.test(destination)
    ? path.posix.join(destination, path.posix.basename(source.guestPath))
    : destination;
  return guestFile(context, target, false);
}

/** Octal permissions as a document writes them (`'0644'`, `755`). */
export function parseMode(permissions: unknown): number {
  const value = String(permissions);
  if (!/^[0-7]{3,4}$/.test(value)) {
    throw new Error(`permissions '${value}' is not an octal mode such as 0644`);
  }
  return parseInt(value, 8);
}

/** Sets owner, group and mode as CreateFile and CreateFolder take them (owner's primary group by default). */
export function applyAccess(context: ActionContext, hostPath: string, access: { owner?: unknown; group?: unknown; permissions?: unknown }): void {
  if (access.permissions !== undefined) {
    fs.chmodSync(hostPath, parseMode(access.permissions));
  }
  if (access.owner !== undefined || access.group !== undefined) {
    const accounts = context.guest.accounts();
    const user = access.owner !== undefined ? accounts.user(String(access.owner)) : { uid: fs.statSync(hostPath).uid, gid: -1 };
    const gid = access.group !== undefined ? accounts.group(String(access.group)) : user.gid;
    fs.chownSync(hostPath, user.uid, gid);
  }
}

/** A file name pattern with `*` wildcards as a regular expression of the whole name. */
export function wildcardPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
