import * as fs from 'fs';
import * as path from 'path';
import { ActionEmulator, eachOperation, flag, text } from './action';
import { applyAccess, exists, guestFile, wildcardPattern } from './guest-files';
import { decodeText, encodeText } from './text-encoding';

/**
 * AWSTOE's file and folder actions on Linux, done on the guest's files by their guest paths
 * (links resolved inside the guest). Defaults as the Image Builder user guide gives them: files
 * 0666 and folders 0777 less the usual umask 022, parent folders created, overwrite on.
 */

/** 0666 and 0777 less the umask 022 that root's processes run with. */
const FILE_MODE = 0o644;
const FOLDER_MODE = 0o755;

export const createFile: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const file = guestFile(context, text(op.path, 'path'));
    if (fs.existsSync(file.hostPath) && !flag(op.overwrite, true)) {
      throw new Error(`${file.guestPath} exists and overwrite is false`);
    }
    fs.mkdirSync(path.dirname(file.hostPath), { recursive: true, mode: FOLDER_MODE });
    fs.writeFileSync(file.hostPath, encodeText(op.content === undefined || op.content === null ? '' : String(op.content), op.encoding), { mode: FILE_MODE });
    applyAccess(context, file.hostPath, op);
  }),
};

export const createFolder: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const folder = guestFile(context, text(op.path, 'path'));
    if (fs.existsSync(folder.hostPath) && !flag(op.overwrite, true)) {
      throw new Error(`${folder.guestPath} exists and overwrite is false`);
    }
    fs.mkdirSync(folder.hostPath, { recursive: true, mode: FOLDER_MODE });
    applyAccess(context, folder.hostPath, op);
  }),
};

export const appendFile: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const file = guestFile(context, text(op.path, 'path'));
    if (!exists(file.hostPath, 'file')) {
      throw new Error(`${file.guestPath}: no such file to append to`);
    }
    fs.appendFileSync(file.hostPath, encodeText(op.content === undefined ? '' : String(op.content), op.encoding));
  }),
};

export const deleteFile: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const pattern = text(op.path, 'path');
    const base = path.posix.basename(pattern);
    if (base.includes('*')) {
      const folder = guestFile(context, path.posix.dirname(pattern));
      const matcher = wildcardPattern(base);
      for (const name of fs.existsSync(folder.hostPath) ? fs.readdirSync(folder.hostPath) : []) {
        const target = path.join(folder.hostPath, name);
        if (matcher.test(name) && !fs.lstatSync(target).isDirectory()) {
          fs.unlinkSync(target);
        }
      }
      return;
    }
    const file = guestFile(context, pattern, false);
    if (!fs.existsSync(file.hostPath) && !isLink(file.hostPath)) {
      throw new Error(`${file.guestPath}: no such file`);
    }
    if (fs.lstatSync(file.hostPath).isDirectory()) {
      throw new Error(`${file.guestPath} is a folder: use DeleteFolder`);
    }
    fs.unlinkSync(file.hostPath);
  }),
};

export const deleteFolder: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const folder = guestFile(context, text(op.path, 'path'), false);
    if (!exists(folder.hostPath, 'folder') || isLink(folder.hostPath)) {
      throw new Error(`${folder.guestPath}: no such folder`);
    }
    if (fs.readdirSync(folder.hostPath).length > 0 && !flag(op.force, false)) {
      throw new Error(`${folder.guestPath} is not empty and force is false`);
    }
    fs.rmSync(folder.hostPath, { recursive: true, force: true });
  }),
};

export const readFile: ActionEmulator = {
  run: async context => {
    const contents: string[] = [];
    const outcome = await eachOperation(context.inputs, op => {
      const file = guestFile(context, text(op.path, 'path'));
      if (!exists(file.hostPath, 'file')) {
        throw new Error(`${file.guestPath}: no such file`);
      }
      const content = decodeText(fs.readFileSync(file.hostPath), op.encoding);
      if (flag(op.printFileContent, false)) {
        context.log(`${content}\n`);
      }
      contents.push(content);
    });
    return outcome.ok ? { ok: true, outputs: { content: contents.join('\n') } } : outcome;
  },
};

export const listFiles: ActionEmulator = {
  run: async context => {
    const found: string[] = [];
    const outcome = await eachOperation(context.inputs, op => {
      const folder = guestFile(context, text(op.path, 'path'));
      if (!exists(folder.hostPath, 'folder')) {
        throw new Error(`${folder.guestPath}: no such folder`);
      }
      const pattern = op.fileNamePattern === undefined ? undefined : wildcardPattern(String(op.fileNamePattern));
      walk(folder.hostPath, folder.guestPath, flag(op.recursive, false), (guestPath, name) => {
        if (!pattern || pattern.test(name)) {
          found.push(guestPath);
        }
      });
    });
    return outcome.ok ? { ok: true, outputs: { files: found.join(',') } } : outcome;
  },
};

export const createSymlink: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const link = guestFile(context, text(op.path, 'path'), false);
    const target = text(op.target, 'target');
    if (!fs.existsSync(guestFile(context, path.posix.resolve(path.posix.dirname(link.guestPath), target)).hostPath)) {
      throw new Error(`${target}: the link's target does not exist`);
    }
    if (isLink(link.hostPath) || fs.existsSync(link.hostPath)) {
      if (!isLink(link.hostPath)) {
        throw new Error(`${link.guestPath} exists and is not a link`);
      }
      if (!flag(op.force, false)) {
        throw new Error(`${link.guestPath} exists and force is false`);
      }
      fs.unlinkSync(link.hostPath);
    }
    fs.mkdirSync(path.dirname(link.hostPath), { recursive: true, mode: FOLDER_MODE });
    fs.symlinkSync(target, link.hostPath);
  }),
};

export const setFileEncoding: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const file = guestFile(context, text(op.path, 'path'));
    if (!exists(file.hostPath, 'file')) {
      throw new Error(`${file.guestPath}: no such file`);
    }
    fs.writeFileSync(file.hostPath, encodeText(fs.readFileSync(file.hostPath, 'utf-8'), op.encoding));
  }),
};

function walk(hostFolder: string, guestFolder: string, recursive: boolean, visit: (guestPath: string, name: string) => void): void {
  for (const entry of fs.readdirSync(hostFolder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const guestPath = path.posix.join(guestFolder, entry.name);
    if (entry.isDirectory()) {
      if (recursive) {
        walk(path.join(hostFolder, entry.name), guestPath, recursive, visit);
      }
    } else {
      visit(guestPath, entry.name);
    }
  }
}

function isLink(hostPath: string): boolean {
  try {
    return fs.lstatSync(hostPath).isSymbolicLink();
  } catch {
    return false;
  }
}

