import * as fs from 'fs';
import * as path from 'path';
import { ActionContext, ActionEmulator, eachOperation, flag, text } from './action';
import { exists, guestFile, parseMode } from './guest-files';

/**
 * SetFilePermissions, SetFolderPermissions, SetFileOwner and SetFolderOwner. Owners and groups
 * are the image's own accounts; without a group, the owner's primary group. Folder actions recurse
 * unless `recursive: false`. A link is followed, as chmod and chown follow it.
 */
function permissions(kind: 'file' | 'folder'): ActionEmulator {
  return {
    run: (context: ActionContext) => eachOperation(context.inputs, op => {
      const target = existing(context, op, kind);
      const mode = parseMode(text(op.permissions, 'permissions'));
      forEachPath(target, kind === 'folder' && flag(op.recursive, true), p => fs.chmodSync(p, mode));
    }),
  };
}

function owner(kind: 'file' | 'folder'): ActionEmulator {
  return {
    run: (context: ActionContext) => eachOperation(context.inputs, op => {
      const target = existing(context, op, kind);
      const accounts = context.guest.accounts();
      const user = accounts.user(text(op.owner, 'owner'));
      const gid = op.group === undefined || op.group === '' ? user.gid : accounts.group(String(op.group));
      forEachPath(target, kind === 'folder' && flag(op.recursive, true), p => fs.chownSync(p, user.uid, gid));
    }),
  };
}

function existing(context: ActionContext, op: Record<string, unknown>, kind: 'file' | 'folder'): string {
  const target = guestFile(context, text(op.path, 'path'));
  if (!exists(target.hostPath, kind)) {
    throw new Error(`${target.guestPath}: no such ${kind}`);
  }
  return target.hostPath;
}

/** The path, and with `recursive` everything under it (links themselves are not followed into). */
function forEachPath(hostPath: string, recursive: boolean, apply: (p: string) => void): void {
  apply(hostPath);
  if (!recursive) {
    return;
  }
  for (const entry of fs.readdirSync(hostPath, { withFileTypes: true })) {
    const child = path.join(hostPath, entry.name);
    if (entry.isSymbolicLink()) {
      continue;
    }
    if (entry.isDirectory()) {
      forEachPath(child, true, apply);
    } else {
      apply(child);
    }
  }
}

export const setFilePermissions = permissions('file');
export const setFolderPermissions = permissions('folder');
export const setFileOwner = owner('file');
export const setFolderOwner = owner('folder');
