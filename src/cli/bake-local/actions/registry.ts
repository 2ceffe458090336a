import { setFileOwner, setFilePermissions, setFolderOwner, setFolderPermissions } from './access-actions';
import { ActionEmulator } from './action';
import { assertAction } from './assert-action';
import { copyFile, copyFolder, moveFile, moveFolder } from './copy-move-actions';
import { executeBash, executeBinary } from './execute-actions';
import {
  appendFile, createFile, createFolder, createSymlink, deleteFile, deleteFolder, listFiles, readFile, setFileEncoding,
} from './file-actions';
import { reboot, updateOs } from './system-actions';
import { s3Download } from './transfer-actions';
import { toeAction } from '../../../provisioning/toe/actions';

/**
 * The one place that says which AWSTOE action modules bake-local runs and how: the emulators by
 * action name, and for every other action of the library's action list, why it cannot run here.
 */
const EMULATORS: Readonly<Record<string, ActionEmulator>> = {
  ExecuteBash: executeBash,
  ExecuteBinary: executeBinary,
  CreateFile: createFile,
  CreateFolder: createFolder,
  AppendFile: appendFile,
  DeleteFile: deleteFile,
  DeleteFolder: deleteFolder,
  CopyFile: copyFile,
  CopyFolder: copyFolder,
  MoveFile: moveFile,
  MoveFolder: moveFolder,
  ReadFile: readFile,
  ListFiles: listFiles,
  CreateSymlink: createSymlink,
  SetFileEncoding: setFileEncoding,
  SetFilePermissions: setFilePermissions,
  SetFolderPermissions: setFolderPermissions,
  SetFileOwner: setFileOwner,
  SetFolderOwner: setFolderOwner,
  S3Download: s3Download,
  Reboot: reboot,
  UpdateOS: updateOs,
  Assert: assertAction,
};

const NOT_EMULATED: Readonly<Record<string, string>> = {
  WebDownload: 'bake-local makes no promise of network access for downloads; stage the file with Provisioner.file, or download it in an ExecuteBash step',
  S3Upload: 'bake-local has no AWS credentials and writes to no bucket',
  ExecuteDocument: 'running another component document is not emulated; add its provisioners to the image instead',
};

/** The emulator of an action, if bake-local runs it. */
export function emulatorFor(action: string): ActionEmulator | undefined {
  return Object.prototype.hasOwnProperty.call(EMULATORS, action) ? EMULATORS[action] : undefined;
}

/** Why bake-local cannot run an action, or undefined when it can. */
export function whyNotEmulated(action: string): string | undefined {
  if (emulatorFor(action)) {
    return undefined;
  }
  if (NOT_EMULATED[action]) {
    return NOT_EMULATED[action];
  }
  const spec = toeAction(action);
  if (spec && !spec.platforms.includes('Linux')) {
    return `${action} runs on Windows only`;
  }
  return spec ? `${action} is not emulated` : `${action} is not an AWSTOE action`;
}

/** The actions bake-local runs, for the documentation and --help. */
export const EMULATED_ACTIONS: readonly string[] = Object.keys(EMULATORS);
