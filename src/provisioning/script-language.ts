import * as path from 'path';
import { OsFamily } from '../common/os-family';

/**
 * What differs between bash on Linux and PowerShell on Windows when a provisioner runs
 * commands or a local script; everything else (validation, credential refusal, assets,
 * step settings) is shared by the two kinds in `script-steps.ts`.
 */
export interface ScriptLanguage {
  /** The platform the language runs on. */
  readonly platform: OsFamily;
  /** The AWSTOE action that runs it. */
  readonly action: 'ExecuteBash' | 'ExecutePowerShell';
  /** The provisioners' name in messages ('a shell provisioner'). */
  readonly label: string;
  /** Why the kind cannot run on the other OS family, for the refusal. */
  readonly wrongPlatform: string;
  /** The first command: makes the script stop at the first failure. */
  readonly stopOnError: string;
  /** Quotes a value as one literal word. */
  quote(value: string): string;
  /** Sets one environment variable. */
  environmentLine(name: string, value: string): string;
  /** Where a downloaded script is put on the instance. */
  scriptTarget(workingDirectory: string, stem: string, localPath: string): string;
  /** Runs a downloaded script with its arguments, then removes it. */
  runScript(target: string, args: string[]): string[];
}

/** Quotes a value for bash, single quotes, any quote inside closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * Quotes a value for PowerShell as a literal string. PowerShell also ends single-quoted
 * strings at the typographic single quotes, so those are doubled too.
 */
export function powerShellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, quote => quote + quote)}'`;
}

/** The first boot may still be installing packages: wait, so the package manager is free. */
export const WAIT_FOR_CLOUD_INIT = 'if command -v cloud-init >/dev/null 2>&1; then cloud-init status --wait >/dev/null 2>&1 || true; fi';

/** Makes cmdlet errors stop the script, as `set -e` does for bash. */
export const POWERSHELL_STOP_ON_ERROR = '$ErrorActionPreference = \'Stop\'';

function withArgs(command: string, args: string[]): string {
  return args.length > 0 ? `${command} ${args.join(' ')}` : command;
}

/** bash, as Packer's `shell` provisioner runs it (`sh -e`: stop at the first failure). */
export const BASH: ScriptLanguage = {
  platform: OsFamily.LINUX,
  action: 'ExecuteBash',
  label: 'shell',
  wrongPlatform: 'shell provisioners run bash and the parent image is Windows',
  stopOnError: 'set -e',
  quote: shellQuote,
  environmentLine: (name, value) => `export ${name}=${shellQuote(value)}`,
  scriptTarget: (workingDirectory, stem, localPath) => `${workingDirectory}/${stem}${path.extname(localPath) || '.sh'}`,
  runScript: (target, args) => {
    const quoted = args.map(shellQuote);
    return [
      `chmod 0700 ${shellQuote(target)}`,
      // A script without a shebang runs under bash, as Packer runs it under its execute_command.
      `if head -c 2 ${shellQuote(target)} | grep -q '^#!'; then ${withArgs(shellQuote(target), quoted)}; else ${withArgs(`bash ${shellQuote(target)}`, quoted)}; fi`,
      `rm -f ${shellQuote(target)}`,
    ];
  },
};

/** PowerShell, elevated, as Packer's `powershell` provisioner runs it. */
export const POWERSHELL: ScriptLanguage = {
  platform: OsFamily.WINDOWS,
  action: 'ExecutePowerShell',
  label: 'PowerShell',
  wrongPlatform: 'PowerShell provisioners run on Windows and the parent image is Linux',
  stopOnError: POWERSHELL_STOP_ON_ERROR,
  quote: powerShellQuote,
  environmentLine: (name, value) => `$env:${name} = ${powerShellQuote(value)}`,
  // `&` runs only files named .ps1 as scripts, whatever the local file is called.
  scriptTarget: (workingDirectory, stem) => path.win32.join(workingDirectory, `${stem}.ps1`),
  runScript: (target, args) => [
    withArgs(`& ${powerShellQuote(target)}`, args.map(powerShellQuote)),
    // As Packer does: the script's last exit code is the step's, so 3010 still asks for a reboot
    // and the script is kept for the step's rerun.
    'if ($LASTEXITCODE) { exit $LASTEXITCODE }',
    `Remove-Item -LiteralPath ${powerShellQuote(target)} -Force`,
  ],
};
