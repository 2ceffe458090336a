import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { bashExtractLines, powerShellExtractLines } from './archive-extraction';
import { grantAssetRead } from './asset-access';
import { hasTrailingSeparator, listFiles, refuseCredentialsInFiles, requireLocalPath } from './local-files';
import { AssetLocator, BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { BASH, POWERSHELL, powerShellQuote, shellQuote } from './script-language';
import { StepOptions } from './step-options';
import { provisionerName, StepSettings, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/**
 * Options for a file provisioner (Packer's `file`).
 */
export interface FileProvisionerOptions extends StepOptions {
  /**
   * A local file or folder. A folder is copied with Packer's rule: `site/` (trailing slash)
   * copies the folder's contents into `destination`; `site` creates `destination/site`.
   * Text files are checked for credentials at synth time.
   */
  readonly source: string;

  /**
   * Where the file or folder goes on the image: an absolute path (`/etc/app/app.conf`,
   * `C:\app\`). For a single file, a destination ending with a slash is a folder the file keeps
   * its name in; otherwise it is the file's full path. Missing parent folders are created.
   */
  readonly destination: string;

  /**
   * Octal permissions, e.g. `'0644'` or `'755'`. For a folder, files get this mode and folders
   * get it with the execute bit added wherever it grants read (`'0644'` gives folders `0755`),
   * so they stay traversable. Linux only.
   *
   * @default - a single file keeps AWSTOE's default (umask); a folder keeps the modes its zip records
   */
  readonly mode?: string;

  /**
   * The user that owns what is copied (name or numeric id). Linux only.
   *
   * @default root
   */
  readonly owner?: string;

  /**
   * The group that owns what is copied (name or numeric id); needs `owner`. Linux only.
   *
   * @default - the owner's primary group when owner is set, else root
   */
  readonly group?: string;
}

/** The id a user acknowledges the nested-folder warning with. */
export const FOLDER_NESTS_WARNING = 'cdk-immutable-infra:folderCopiedAsFolder';

const MODE_PATTERN = /^[0-7]{3,4}$/;
const ACCOUNT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;
const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/;

/** Who may read and own what is copied (Linux only). */
interface Access {
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
}

/** `Provisioner.file()`: a local file or folder as an S3 asset, downloaded (and unpacked) on the instance. */
export class FileUpload implements ProvisionerKind {
  public readonly kindName = 'file';

  constructor(private readonly options: FileProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const name = provisionerName(context, this.options);
    const source = requireLocalPath(context, 'source', this.options.source, ['file', 'folder']);
    this.checkDestination(context);
    const access = this.checkAccess(context);
    if (source.kind === 'folder' && listFiles(source.resolved).length === 0) {
      invalidProp(context.scope, `${context.prop}.source`, this.options.source, `the folder ${source.resolved} holds no files`,
        'Add the files to upload, or remove the provisioner');
    }
    refuseCredentialsInFiles(context, 'source', source.resolved, this.options.source.replace(/[\\/]+$/, ''));

    const asset = new s3assets.Asset(context.scope, `${name}Asset`, { path: source.resolved });
    grantAssetRead(asset, context.assetReader);
    const settings = stepSettings(context, this.options);
    const base = path.basename(source.resolved);
    const windows = context.osFamily === OsFamily.WINDOWS;

    let steps: (locate: AssetLocator) => ToeStep[];
    if (source.kind === 'file') {
      steps = windows ? this.windowsFile(name, asset, base, settings) : this.linuxFile(name, asset, base, settings, access);
    } else {
      const contentsOnly = hasTrailingSeparator(this.options.source);
      if (!contentsOnly) {
        this.warnFolderNests(context, base, windows);
      }
      steps = windows
        ? this.windowsFolder(context, name, asset, base, contentsOnly, settings)
        : this.linuxFolder(context, name, asset, base, contentsOnly, settings, access);
    }
    return {
      name,
      platform: context.osFamily,
      document: locate => singlePhase(context, steps(locate)),
    };
  }

  /** S3Download straight to the file's path, after its folder exists; then mode and owner. */
  private linuxFile(name: string, asset: s3assets.Asset, base: string, settings: StepSettings, access: Access): (locate: AssetLocator) => ToeStep[] {
    const destination = this.options.destination;
    const target = hasTrailingSeparator(destination) ? path.posix.join(destination, base) : path.posix.normalize(destination);
    const folder = path.posix.dirname(target);
    return locate => [
      ...(folder === '/' ? [] : [{ name: `${name}-folder`, action: 'ExecuteBash', ...settings, inputs: { commands: [BASH.stopOnError, `mkdir -p ${shellQuote(folder)}`] } }]),
      { name, action: 'S3Download', ...settings, inputs: [{ source: locate(asset), destination: target, overwrite: true }] },
      ...(access.mode ? [{ name: `${name}-mode`, action: 'SetFilePermissions', ...settings, inputs: [{ path: target, permissions: access.mode }] }] : []),
      ...(access.owner ? [{ name: `${name}-owner`, action: 'SetFileOwner', ...settings, inputs: [{ path: target, owner: access.owner, ...(access.group ? { group: access.group } : {}) }] }] : []),
    ];
  }

  private windowsFile(name: string, asset: s3assets.Asset, base: string, settings: StepSettings): (locate: AssetLocator) => ToeStep[] {
    const destination = this.options.destination;
    const target = hasTrailingSeparator(destination) ? path.win32.join(destination, base) : path.win32.normalize(destination);
    const folder = path.win32.dirname(target);
    return locate => [
      {
        name: `${name}-folder`,
        action: 'ExecutePowerShell',
        ...settings,
        inputs: { commands: [POWERSHELL.stopOnError, `New-Item -ItemType Directory -Force -Path ${powerShellQuote(folder)} | Out-Null`] },
      },
      { name, action: 'S3Download', ...settings, inputs: [{ source: locate(asset), destination: target, overwrite: true }] },
    ];
  }

  /**
   * The zip is unpacked into a staging folder first, where mode and owner are applied, and its
   * entries are then copied into the destination: a folder copied into `/etc/` must change
   * neither `/etc` itself nor the files already there.
   */
  private linuxFolder(context: ProvisionerBindContext, name: string, asset: s3assets.Asset, base: string, contentsOnly: boolean,
    settings: StepSettings, access: Access): (locate: AssetLocator) => ToeStep[] {
    const stem = `${name}-${asset.assetHash.slice(0, 8)}`;
    const archive = path.posix.join(context.workingDirectory, `${stem}.zip`);
    const staging = path.posix.join(context.workingDirectory, stem);
    const destination = withoutTrailingSeparator(path.posix.normalize(this.options.destination), '/');
    const unpackInto = contentsOnly ? staging : path.posix.join(staging, base);
    const ownership = access.owner ? (access.group ? `${access.owner}:${access.group}` : access.owner) : undefined;
    const commands = [
      BASH.stopOnError,
      `rm -rf ${shellQuote(staging)}`,
      ...bashExtractLines(archive, unpackInto, `Provisioner.file '${name}'`),
      'shopt -s dotglob nullglob',
      `entries=(${shellQuote(staging)}/*)`,
      ...(access.mode || ownership ? [
        'if [ ${#entries[@]} -gt 0 ]; then',
        ...(access.mode ? [
          `  find "\${entries[@]}" -type d -exec chmod ${folderMode(access.mode)} {} +`,
          `  find "\${entries[@]}" -type f -exec chmod ${access.mode} {} +`,
        ] : []),
        ...(ownership ? [`  chown -R ${shellQuote(ownership)} "\${entries[@]}"`] : []),
        'fi',
      ] : []),
      `mkdir -p ${shellQuote(destination)}`,
      // cp -a keeps the modes and owners set above; as root it can.
      `if [ \${#entries[@]} -gt 0 ]; then cp -a "\${entries[@]}" ${shellQuote(destination === '/' ? '/' : destination + '/')}; fi`,
      `rm -rf ${shellQuote(staging)} ${shellQuote(archive)}`,
    ];
    return locate => [
      { name: `${name}-download`, action: 'S3Download', ...settings, inputs: [{ source: locate(asset), destination: archive, overwrite: true }] },
      { name, action: 'ExecuteBash', ...settings, inputs: { commands } },
    ];
  }

  private windowsFolder(context: ProvisionerBindContext, name: string, asset: s3assets.Asset, base: string, contentsOnly: boolean,
    settings: StepSettings): (locate: AssetLocator) => ToeStep[] {
    const archive = path.win32.join(context.workingDirectory, `${name}-${asset.assetHash.slice(0, 8)}.zip`);
    const destination = withoutTrailingSeparator(path.win32.normalize(this.options.destination), '\\');
    const target = contentsOnly ? destination : path.win32.join(destination, base);
    const commands = [
      POWERSHELL.stopOnError,
      ...powerShellExtractLines(archive, target),
      `Remove-Item -LiteralPath ${powerShellQuote(archive)} -Force`,
    ];
    return locate => [
      { name: `${name}-download`, action: 'S3Download', ...settings, inputs: [{ source: locate(asset), destination: archive, overwrite: true }] },
      { name, action: 'ExecutePowerShell', ...settings, inputs: { commands } },
    ];
  }

  /**
   * Packer's rule copies a folder named without a trailing slash into the destination as a
   * folder of its own; users who meant its contents find their files one level down (and a
   * test against a default page can still pass), so the result path is spelled out at synth.
   */
  private warnFolderNests(context: ProvisionerBindContext, base: string, windows: boolean): void {
    const paths = windows ? path.win32 : path.posix;
    const destination = withoutTrailingSeparator(paths.normalize(this.options.destination), windows ? '\\' : '/');
    const nested = paths.join(destination, base);
    Annotations.of(context.scope).addWarningV2(FOLDER_NESTS_WARNING,
      `${context.prop}.source: '${this.options.source}' has no trailing slash, so the folder itself is copied and its files land in ${nested}${windows ? '\\' : '/'} `
      + `(Packer's rule). To copy its contents into ${destination}, end source with a slash ('${base}/'); if ${nested} is meant, acknowledge this warning`);
  }

  private checkDestination(context: ProvisionerBindContext): void {
    const destination = this.options.destination;
    const prop = `${context.prop}.destination`;
    if (destination === undefined || destination === '') {
      invalidProp(context.scope, prop, destination, 'a destination on the image is required', 'Give an absolute path, e.g. \'/etc/app/\'');
    }
    if (Token.isUnresolved(destination)) {
      invalidProp(context.scope, prop, destination, 'the destination must be known at synth time: it decides the steps and is part of the image\'s identity',
        'Give a plain path string, not a token');
    }
    if (/[\r\n\0]/.test(destination)) {
      invalidProp(context.scope, prop, destination, 'a path cannot hold line breaks or NUL characters', 'Give a single-line path');
    }
    if (context.osFamily === OsFamily.WINDOWS) {
      if (!WINDOWS_ABSOLUTE.test(destination)) {
        invalidProp(context.scope, prop, destination, 'the destination must be an absolute Windows path (the parent image is Windows)',
          'Give a path with a drive letter, e.g. \'C:\\app\\\'');
      }
    } else if (!destination.startsWith('/')) {
      invalidProp(context.scope, prop, destination, 'the destination must be an absolute Linux path (the parent image is Linux)',
        'Give a path from the root, e.g. \'/etc/app/\'');
    }
  }

  private checkAccess(context: ProvisionerBindContext): Access {
    const { mode, owner, group } = this.options;
    if (context.osFamily === OsFamily.WINDOWS) {
      for (const [prop, value] of [['mode', mode], ['owner', owner], ['group', group]] as const) {
        if (value !== undefined) {
          invalidProp(context.scope, `${context.prop}.${prop}`, value, 'modes and owners are Linux-only (AWSTOE refuses them on Windows) and the parent image is Windows',
            `Remove ${prop}; set ACLs in a Provisioner.powerShell() step after the upload (e.g. icacls)`);
        }
      }
      return {};
    }
    if (mode !== undefined && Token.isUnresolved(mode)) {
      invalidProp(context.scope, `${context.prop}.mode`, mode, 'the mode must be known at synth time (a folder\'s own mode is derived from it)',
        'Give a plain octal string such as \'0644\'');
    }
    if (mode !== undefined && !MODE_PATTERN.test(mode)) {
      invalidProp(context.scope, `${context.prop}.mode`, mode, 'a mode is three or four octal digits', 'Give a mode such as \'0644\' or \'755\'');
    }
    for (const [prop, value] of [['owner', owner], ['group', group]] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !ACCOUNT_PATTERN.test(value)) {
        invalidProp(context.scope, `${context.prop}.${prop}`, value, `a ${prop === 'owner' ? 'user' : 'group'} is a name of letters, digits, '_', '.' and '-' (at most 32) or a numeric id`,
          `Give an existing ${prop === 'owner' ? 'user' : 'group'}, e.g. 'root' or '1000'`);
      }
    }
    if (group !== undefined && owner === undefined) {
      invalidProp(context.scope, `${context.prop}.group`, group, 'a group needs an owner (AWSTOE sets both together)',
        'Set owner too, e.g. owner: \'root\'');
    }
    return { mode, owner, group };
  }
}

/** A folder mode from a file mode: execute (search) wherever the file mode grants read. */
export function folderMode(mode: string): string {
  const digits = mode.padStart(4, '0').split('').map(Number);
  // Octal digit by digit: read (4) without execute (1) gains execute; the first digit is setuid/setgid/sticky.
  return digits.map((digit, i) => (i > 0 && digit >= 4 && digit % 2 === 0 ? digit + 1 : digit)).join('');
}

function withoutTrailingSeparator(value: string, root: string): string {
  const stripped = value.replace(/[\\/]+$/, '');
  return stripped === '' || /^[A-Za-z]:$/.test(stripped) ? (stripped === '' ? root : `${stripped}${root}`) : stripped;
}
