import { ToePlatform } from './component-document';

/**
 * The AWSTOE action modules and the inputs each one takes, as documented in the EC2 Image
 * Builder user guide ("Action modules supported by AWSTOE component manager") and the
 * action list of the CDK Image Builder alpha module. The validator checks documents against it.
 */

/** How an input value is checked. */
export type ToeInputKind =
  /** A string; unquoted numbers and booleans are accepted, because AWSTOE reads them as text. */
  | 'string'
  /** `true` / `false` (or the same words as strings). */
  | 'boolean'
  /** A whole number. */
  | 'integer'
  /** A list of strings. */
  | 'stringList'
  /** A map from names to strings (InstallMSI `properties`). */
  | 'stringMap'
  /** A string, a number or a list of them (SetRegistry `value`). */
  | 'scalarOrList'
  /** A list of `{ name, value }` maps (ExecuteDocument `parameters`). */
  | 'nameValueList';

export interface ToeInputSpec {
  readonly kind: ToeInputKind;
  readonly required?: boolean;
  /** The accepted values, when the input is an enumeration. */
  readonly values?: readonly string[];
  /** Whether `values` are compared without regard to case. */
  readonly caseInsensitive?: boolean;
  /** Platforms on which the input may be given, when fewer than the action's own. */
  readonly platforms?: readonly ToePlatform[];
}

export interface ToeActionSpec {
  readonly name: string;
  /** The platforms that can run the action. */
  readonly platforms: readonly ToePlatform[];
  /** Whether `inputs` is one map or a list of maps (one entry per operation). */
  readonly inputShape: 'map' | 'list';
  /** Whether the step needs `inputs` at all (some actions have only optional inputs). */
  readonly inputsRequired: boolean;
  readonly inputs: Readonly<Record<string, ToeInputSpec>>;
  /** Any key may appear in the inputs (Assert takes comparison and logical operators). */
  readonly openInputs?: boolean;
  /** Exactly one of these inputs must be given. */
  readonly exactlyOneOf?: readonly string[];
  /** Names a chaining expression may read from `outputs`; undefined when not documented. */
  readonly outputs?: readonly string[];
  /** Reboot ignores step timeouts; ExecuteDocument allows only -1 (no limit). */
  readonly timeout?: 'unsupported' | 'unlimitedOnly';
  /** ExecuteDocument runs once: maxAttempts may only be 1. */
  readonly singleAttempt?: boolean;
  /** What to use instead on the platform the action does not support. */
  readonly alternative?: string;
}

const LINUX: readonly ToePlatform[] = ['Linux'];
const WINDOWS: readonly ToePlatform[] = ['Windows'];
const ALL: readonly ToePlatform[] = ['Linux', 'Windows'];

const ENCODINGS = [
  'utf8', 'utf-8', 'utf16', 'utf-16', 'utf16-LE', 'utf-16-LE', 'utf16-BE', 'utf-16-BE',
  'utf32', 'utf-32', 'utf32-LE', 'utf-32-LE', 'utf32-BE', 'utf-32-BE',
];
const encoding: ToeInputSpec = { kind: 'string', values: ENCODINGS, caseInsensitive: true };
const requiredString: ToeInputSpec = { kind: 'string', required: true };
const optionalString: ToeInputSpec = { kind: 'string' };
const optionalBoolean: ToeInputSpec = { kind: 'boolean' };
const linuxOnlyString: ToeInputSpec = { kind: 'string', platforms: LINUX };
const MSI_REBOOT = ['Allow', 'Force', 'Skip'];

const sourceAndDestination = {
  source: requiredString,
  destination: requiredString,
  overwrite: optionalBoolean,
};

const msiInputs: Record<string, ToeInputSpec> = {
  path: requiredString,
  reboot: { kind: 'string', values: MSI_REBOOT },
  logOptions: optionalString,
  logFile: optionalString,
  properties: { kind: 'stringMap' },
  ignoreAuthenticodeSignatureErrors: optionalBoolean,
  allowUnsignedInstaller: optionalBoolean,
};

const POSIX_ONLY = 'ExecutePowerShell with the equivalent cmdlet on Windows';

const SPECS: readonly ToeActionSpec[] = [
  // General execution
  {
    name: 'ExecuteBash',
    platforms: LINUX,
    inputShape: 'map',
    inputsRequired: true,
    inputs: { commands: { kind: 'stringList', required: true } },
    outputs: ['stdout'],
    alternative: 'ExecutePowerShell',
  },
  {
    name: 'ExecutePowerShell',
    platforms: WINDOWS,
    inputShape: 'map',
    inputsRequired: true,
    inputs: { commands: { kind: 'stringList' }, file: optionalString },
    exactlyOneOf: ['commands', 'file'],
    outputs: ['stdout'],
    alternative: 'ExecuteBash',
  },
  {
    name: 'ExecuteBinary',
    platforms: ALL,
    inputShape: 'map',
    inputsRequired: true,
    inputs: { path: requiredString, arguments: { kind: 'stringList' } },
    outputs: ['stdout'],
  },
  {
    name: 'ExecuteDocument',
    platforms: ALL,
    inputShape: 'map',
    inputsRequired: true,
    inputs: {
      'document': requiredString,
      'document-s3-bucket-owner': optionalString,
      'phases': optionalString,
      'parameters': { kind: 'nameValueList' },
    },
    timeout: 'unlimitedOnly',
    singleAttempt: true,
  },
  // Download and upload
  {
    name: 'S3Download',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { ...sourceAndDestination, expectedBucketOwner: optionalString },
    outputs: [],
  },
  {
    name: 'S3Upload',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { source: requiredString, destination: requiredString, recurse: optionalBoolean, expectedBucketOwner: optionalString },
    outputs: [],
  },
  {
    name: 'WebDownload',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: {
      ...sourceAndDestination,
      checksum: optionalString,
      algorithm: { kind: 'string', values: ['MD5', 'SHA1', 'SHA256', 'SHA512'] },
      ignoreCertificateErrors: optionalBoolean,
    },
    outputs: ['destination'],
  },
  // File system operations
  {
    name: 'AppendFile',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, content: optionalString, encoding },
    outputs: [],
  },
  { name: 'CopyFile', platforms: ALL, inputShape: 'list', inputsRequired: true, inputs: sourceAndDestination, outputs: [] },
  { name: 'CopyFolder', platforms: ALL, inputShape: 'list', inputsRequired: true, inputs: sourceAndDestination, outputs: [] },
  {
    name: 'CreateFile',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: {
      path: requiredString,
      content: optionalString,
      encoding,
      owner: linuxOnlyString,
      group: linuxOnlyString,
      permissions: linuxOnlyString,
      overwrite: optionalBoolean,
    },
    outputs: [],
  },
  {
    name: 'CreateFolder',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: {
      path: requiredString,
      owner: linuxOnlyString,
      group: linuxOnlyString,
      permissions: linuxOnlyString,
      overwrite: optionalBoolean,
    },
    outputs: [],
  },
  {
    name: 'CreateSymlink',
    platforms: LINUX,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, target: requiredString, force: optionalBoolean },
    outputs: [],
    alternative: 'ExecutePowerShell with New-Item -ItemType SymbolicLink',
  },
  { name: 'DeleteFile', platforms: ALL, inputShape: 'list', inputsRequired: true, inputs: { path: requiredString }, outputs: [] },
  {
    name: 'DeleteFolder',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, force: optionalBoolean },
    outputs: [],
  },
  {
    name: 'ListFiles',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, fileNamePattern: optionalString, recursive: optionalBoolean },
    outputs: ['files'],
  },
  { name: 'MoveFile', platforms: ALL, inputShape: 'list', inputsRequired: true, inputs: sourceAndDestination, outputs: [] },
  { name: 'MoveFolder', platforms: ALL, inputShape: 'list', inputsRequired: true, inputs: sourceAndDestination, outputs: [] },
  {
    name: 'ReadFile',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, encoding, printFileContent: optionalBoolean },
    outputs: ['content'],
  },
  {
    name: 'SetFileEncoding',
    platforms: ALL,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, encoding },
    outputs: [],
  },
  {
    name: 'SetFileOwner',
    platforms: LINUX,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, owner: requiredString, group: optionalString },
    outputs: [],
    alternative: POSIX_ONLY,
  },
  {
    name: 'SetFolderOwner',
    platforms: LINUX,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, owner: requiredString, group: optionalString, recursive: optionalBoolean },
    outputs: [],
    alternative: POSIX_ONLY,
  },
  {
    name: 'SetFilePermissions',
    platforms: LINUX,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, permissions: requiredString },
    outputs: [],
    alternative: POSIX_ONLY,
  },
  {
    name: 'SetFolderPermissions',
    platforms: LINUX,
    inputShape: 'list',
    inputsRequired: true,
    inputs: { path: requiredString, permissions: requiredString, recursive: optionalBoolean },
    outputs: [],
    alternative: POSIX_ONLY,
  },
  // Software installation
  {
    name: 'InstallMSI',
    platforms: WINDOWS,
    inputShape: 'map',
    inputsRequired: true,
    inputs: msiInputs,
    outputs: ['logFile', 'msiExitCode', 'stdout'],
    alternative: 'ExecuteBash with the distribution\'s package manager',
  },
  {
    name: 'UninstallMSI',
    platforms: WINDOWS,
    inputShape: 'map',
    inputsRequired: true,
    inputs: msiInputs,
    outputs: ['logFile', 'msiExitCode', 'stdout'],
    alternative: 'ExecuteBash with the distribution\'s package manager',
  },
  // System actions
  {
    name: 'Reboot',
    platforms: ALL,
    inputShape: 'map',
    inputsRequired: false,
    inputs: { delaySeconds: { kind: 'integer' } },
    outputs: [],
    timeout: 'unsupported',
  },
  {
    name: 'SetRegistry',
    platforms: WINDOWS,
    inputShape: 'list',
    inputsRequired: true,
    inputs: {
      path: requiredString,
      name: requiredString,
      value: { kind: 'scalarOrList', required: true },
      type: { kind: 'string', required: true, values: ['BINARY', 'DWORD', 'QWORD', 'SZ', 'EXPAND_SZ', 'MULTI_SZ'] },
    },
    outputs: [],
    alternative: 'configuration files written with CreateFile or ExecuteBash (Linux has no registry)',
  },
  {
    name: 'UpdateOS',
    platforms: ALL,
    inputShape: 'map',
    inputsRequired: false,
    inputs: { include: { kind: 'stringList' }, exclude: { kind: 'stringList' } },
    outputs: [],
  },
  // Logic: the inputs are one comparison or logical operator expression.
  { name: 'Assert', platforms: ALL, inputShape: 'map', inputsRequired: true, inputs: {}, openInputs: true },
];

/** Every AWSTOE action module, by name. */
export const TOE_ACTIONS: Readonly<Record<string, ToeActionSpec>> = Object.freeze(
  Object.fromEntries(SPECS.map(spec => [spec.name, spec])),
);

/** The action module called `name` (exact case, as AWSTOE expects it), if there is one. */
export function toeAction(name: string): ToeActionSpec | undefined {
  return Object.prototype.hasOwnProperty.call(TOE_ACTIONS, name) ? TOE_ACTIONS[name] : undefined;
}

/** The known action closest to a misspelt one, for "did you mean" hints. */
export function closestToeAction(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(TOE_ACTIONS)) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) {
      best = { name: candidate, distance };
    }
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
