import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { grantAssetRead } from './asset-access';
import { AssetLocator, ProvisionerBindContext } from './provisioner-kind';
import { shellQuote } from './script-language';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/**
 * What the configuration-management kinds (Chef, Puppet) share: a local folder uploaded as
 * one asset and unpacked in a folder named after its hash, a marker that says the tool was
 * installed by this provisioner (so its run step may remove it), and version checks.
 */

/** A local folder staged on the build instance. */
export interface StagedFolder {
  readonly asset: s3assets.Asset;
  /** Where the folder is unpacked. */
  readonly folder: string;
  /** Where the zip is downloaded. */
  readonly archive: string;
  /** Present while the tool this provisioner installed is on the instance. */
  readonly installedMarker: string;
  /** The S3Download input for the zip. */
  download(locate: AssetLocator): { source: string; destination: string; overwrite: boolean };
}

/** Uploads a local folder as an asset the build role may read, and says where it goes on the instance. */
export function stageFolder(context: ProvisionerBindContext, name: string, id: string, folderPath: string): StagedFolder {
  const asset = new s3assets.Asset(context.scope, `${name}${id}`, { path: folderPath });
  grantAssetRead(asset, context.assetReader);
  const join = context.osFamily === OsFamily.WINDOWS ? path.win32.join : path.posix.join;
  const stem = `${name}-${asset.assetHash.slice(0, 8)}`;
  const archive = join(context.workingDirectory, `${stem}.zip`);
  return {
    asset,
    folder: join(context.workingDirectory, stem),
    archive,
    installedMarker: join(context.workingDirectory, `${stem}.installed`),
    download: locate => ({ source: locate(asset), destination: archive, overwrite: true }),
  };
}

/** Release versions as the installers take them: a major (`18`), major.minor, or major.minor.patch. */
const VERSION = /^\d+(?:\.\d+){0,2}$/;

/** Validates a tool version given as a prop and returns it. */
export function checkVersion(context: ProvisionerBindContext, prop: string, value: string, example: string): string {
  if (!VERSION.test(value)) {
    invalidProp(context.scope, `${context.prop}.${prop}`, value, 'a version is a major version, major.minor or major.minor.patch, digits only',
      `Pin a released version, e.g. '${example}'`);
  }
  return value;
}

/**
 * Bash lines that download a URL to a file with curl or wget (stock images have one or the
 * other), and check its SHA-256 when one is given.
 */
export function bashFetchLines(url: string, target: string, sha256: string | undefined): string[] {
  return [
    'if command -v curl >/dev/null 2>&1; then',
    `  curl -fsSL --retry 3 -o ${shellQuote(target)} ${shellQuote(url)}`,
    'else',
    `  wget -q -O ${shellQuote(target)} ${shellQuote(url)}`,
    'fi',
    ...(sha256 ? [`echo ${shellQuote(`${sha256}  ${target}`)} | sha256sum -c -`] : []),
  ];
}

/** A SHA-256 as hex. */
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** Validates an optional SHA-256 prop. */
export function checkSha256(context: ProvisionerBindContext, prop: string, value: string | undefined): string | undefined {
  if (value !== undefined && !SHA256.test(value)) {
    invalidProp(context.scope, `${context.prop}.${prop}`, value, 'a SHA-256 checksum is 64 hexadecimal characters',
      'Give the output of `sha256sum` (or `Get-FileHash -Algorithm SHA256`) for the file you reviewed');
  }
  return value?.toLowerCase();
}

/**
 * Bash lines that remove the packages the install step installed (when its marker says so,
 * and unless told to keep them), then the marker.
 */
export function bashRemoveInstalledLines(staged: StagedFolder, keep: boolean | undefined, what: string,
  packages: string[], folders: string[]): string[] {
  const list = packages.join(' ');
  return [
    ...(keep ? [] : [
      `if [ -f ${shellQuote(staged.installedMarker)} ]; then`,
      `  echo ${shellQuote(`Removing the ${what} this provisioner installed`)}`,
      `  if command -v dpkg >/dev/null 2>&1 && dpkg -s ${packages[0]} >/dev/null 2>&1; then dpkg --purge ${list}; `
        + `elif command -v rpm >/dev/null 2>&1 && rpm -q ${packages[0]} >/dev/null 2>&1; then rpm -e ${list}; fi`,
      `  rm -rf ${folders.join(' ')}`,
      'fi',
    ]),
    `rm -f ${shellQuote(staged.installedMarker)}`,
  ];
}
