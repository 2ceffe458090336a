import * as fs from 'fs';
import * as path from 'path';
import { ActionContext, ActionEmulator, eachOperation, flag, text } from './action';
import { expandWildcard, landingPath } from './guest-files';

/**
 * CopyFile, MoveFile, CopyFolder and MoveFolder. A destination ending with a separator is a
 * folder the source keeps its name in; otherwise it is the new name. Destination folders are
 * created. Overwrite is on unless the document turns it off.
 */
function transfer(kind: 'file' | 'folder', move: boolean): ActionEmulator {
  return {
    run: (context: ActionContext) => eachOperation(context.inputs, op => {
      const destination = text(op.destination, 'destination');
      const sources = expandWildcard(context, text(op.source, 'source'), kind);
      for (const source of sources) {
        const target = landingPath(context, source, destination, sources.length > 1);
        if (fs.existsSync(target.hostPath)) {
          if (!flag(op.overwrite, true)) {
            throw new Error(`${target.guestPath} exists and overwrite is false`);
          }
          if (kind === 'folder') {
            fs.rmSync(target.hostPath, { recursive: true, force: true });
          }
        }
        fs.mkdirSync(path.dirname(target.hostPath), { recursive: true, mode: 0o755 });
        if (move) {
          fs.renameSync(source.hostPath, target.hostPath);
        } else if (kind === 'folder') {
          fs.cpSync(source.hostPath, target.hostPath, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
        } else {
          fs.copyFileSync(source.hostPath, target.hostPath);
        }
      }
    }),
  };
}

export const copyFile = transfer('file', false);
export const moveFile = transfer('file', true);
export const copyFolder = transfer('folder', false);
export const moveFolder = transfer('folder', true);
