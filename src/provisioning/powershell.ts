import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { grantAssetRead } from './asset-access';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { StepOptions } from './step-options';
import { checkVariableNames, provisionerName, refuseCredentials, refuseCredentialVariables, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { OsFamily } from '../image/os-family';
import { invalidProp } from '../private/errors';

/**
 * Options for an inline PowerShell provisioner (Packer's `powershell` with `inline`).
 */
export interface PowerShellProvisionerOptions extends StepOptions {
  /**
   * Commands run in order by PowerShell, elevated (as SYSTEM), in one script where
   * `$ErrorActionPreference` is `Stop`: a failing cmdlet stops it. Exit with 3010 to have the
   * instance rebooted and the step run again.
   */
  readonly commands: string[];

  /**
   * Environment variables set for the commands (Packer's `environment_vars`). Values are
   * stored in plain text in the component document: never put secrets here.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };
}

/**
 * Options for a PowerShell script provisioner (Packer's `powershell` with `script`).
 */
export interface PowerShellScriptProvisionerOptions extends StepOptions {
  /** Path of the local script. It is uploaded as an asset, downloaded as a `.ps1` file and run elevated. */
  readonly path: string;

  /**
   * Arguments passed to the script, each as one literal string.
   *
   * @default - none
   */
  readonly arguments?: string[];

  /**
   * Environment variables set for the script (Packer's `environment_vars`).
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };
}

/**
 * Quotes a value for PowerShell as a literal string. PowerShell also ends single-quoted
 * strings at the typographic single quotes, so those are doubled too.
 */
export function powerShellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, quote => quote + quote)}'`;
}

/** Makes cmdlet errors stop the script, as `set -e` does for bash. */
const STOP_ON_ERROR = '$ErrorActionPreference = \'Stop\'';

function environmentLines(environment: Record<string, string>): string[] {
  return Object.keys(environment).sort().map(name => `$env:${name} = ${powerShellQuote(environment[name])}`);
}

function requireWindows(context: ProvisionerBindContext, kind: string, instead: string): void {
  if (context.osFamily !== OsFamily.WINDOWS) {
    invalidProp(context.scope, context.prop, kind, 'PowerShell provisioners run on Windows and the parent image is Linux',
      `Use ${instead} for Linux images`);
  }
}

/** `Provisioner.powerShell()`: inline commands in one ExecutePowerShell step. */
export class InlinePowerShell implements ProvisionerKind {
  public readonly kindName = 'powershell';

  constructor(private readonly options: PowerShellProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requireWindows(context, 'Provisioner.powerShell', 'Provisioner.shell()');
    const name = provisionerName(context, this.options);
    const commands = this.options.commands;
    if (!commands || commands.length === 0) {
      invalidProp(context.scope, `${context.prop}.commands`, commands, 'a PowerShell provisioner needs at least one command',
        'Give the commands to run, or remove the provisioner');
    }
    const environment = this.options.environment ?? {};
    checkVariableNames(context, 'environment', environment);
    refuseCredentials(context, 'commands', commands.join('\n'), 'the commands');
    refuseCredentialVariables(context, 'environment', environment);

    const step: ToeStep = {
      name,
      action: 'ExecutePowerShell',
      ...stepSettings(context, this.options),
      inputs: { commands: [STOP_ON_ERROR, ...environmentLines(environment), ...commands] },
    };
    return {
      name,
      platform: OsFamily.WINDOWS,
      document: () => ({ schemaVersion: '1.0', phases: [{ name: context.phase, steps: [step] }] }),
    };
  }
}

/** `Provisioner.powerShellScript()`: a local script, uploaded as an asset, downloaded and run. */
export class PowerShellScript implements ProvisionerKind {
  public readonly kindName = 'powershell-script';

  constructor(private readonly options: PowerShellScriptProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requireWindows(context, 'Provisioner.powerShellScript', 'Provisioner.shellScript()');
    const name = provisionerName(context, this.options);
    const scriptPath = path.resolve(this.options.path);
    if (!fs.existsSync(scriptPath) || !fs.statSync(scriptPath).isFile()) {
      invalidProp(context.scope, `${context.prop}.path`, this.options.path, `no file at ${scriptPath}`,
        'Give the path of an existing script file (relative paths resolve from the working directory of the CDK app; prefer path.join(__dirname, ...))');
    }
    const environment = this.options.environment ?? {};
    checkVariableNames(context, 'environment', environment);
    refuseCredentials(context, 'path', fs.readFileSync(scriptPath, 'utf8'), `the script ${this.options.path}`);
    refuseCredentials(context, 'arguments', (this.options.arguments ?? []).join('\n'), 'the arguments');
    refuseCredentialVariables(context, 'environment', environment);

    const asset = new s3assets.Asset(context.scope, `${name}Script`, { path: scriptPath });
    grantAssetRead(asset, context.assetReader);
    // `&` runs only files named .ps1 as scripts, whatever the local file is called.
    const target = path.win32.join(context.workingDirectory, `${name}-${asset.assetHash.slice(0, 8)}.ps1`);
    const args = (this.options.arguments ?? []).map(powerShellQuote).join(' ');
    const settings = stepSettings(context, this.options);

    return {
      name,
      platform: OsFamily.WINDOWS,
      document: locate => ({
        schemaVersion: '1.0',
        phases: [{
          name: context.phase,
          steps: [
            { name: `${name}-download`, action: 'S3Download', inputs: [{ source: locate(asset), destination: target, overwrite: true }] },
            {
              name,
              action: 'ExecutePowerShell',
              ...settings,
              inputs: {
                commands: [
                  STOP_ON_ERROR,
                  ...environmentLines(environment),
                  `& ${powerShellQuote(target)}${args ? ' ' + args : ''}`,
                  // As Packer does: the script's last exit code is the step's, so 3010 still asks for a reboot
                  // and the script is kept for the step's rerun.
                  'if ($LASTEXITCODE) { exit $LASTEXITCODE }',
                  `Remove-Item -LiteralPath ${powerShellQuote(target)} -Force`,
                ],
              },
            },
          ],
        }],
      }),
    };
  }
}
