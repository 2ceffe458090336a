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
 * Options for an inline shell provisioner (Packer's `shell` with `inline`).
 */
export interface ShellProvisionerOptions extends StepOptions {
  /**
   * Commands run in order by bash, as root, in one script that stops at the first failure
   * (Packer runs inline commands with `sh -e`). No `sudo` is needed.
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
 * Options for a shell script provisioner (Packer's `shell` with `script`).
 */
export interface ShellScriptProvisionerOptions extends StepOptions {
  /** Path of the local script. It is uploaded as an asset and run with its own shebang (bash when it has none). */
  readonly path: string;

  /**
   * Arguments passed to the script.
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

/** Quotes a value for bash, single quotes, any quote inside closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

function exportLines(environment: Record<string, string>): string[] {
  return Object.keys(environment).sort().map(name => `export ${name}=${shellQuote(environment[name])}`);
}

function requireLinux(context: ProvisionerBindContext, kind: string): void {
  if (context.osFamily !== OsFamily.LINUX) {
    invalidProp(context.scope, context.prop, kind, 'shell provisioners run bash and the parent image is Windows',
      'Use Provisioner.powerShell() or Provisioner.powerShellScript() for Windows images');
  }
}

/** `Provisioner.shell()`: inline commands in one ExecuteBash step. */
export class InlineShell implements ProvisionerKind {
  public readonly kindName = 'shell';

  constructor(private readonly options: ShellProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requireLinux(context, 'Provisioner.shell');
    const name = provisionerName(context, this.options);
    const commands = this.options.commands;
    if (!commands || commands.length === 0) {
      invalidProp(context.scope, `${context.prop}.commands`, commands, 'a shell provisioner needs at least one command',
        'Give the commands to run, or remove the provisioner');
    }
    const environment = this.options.environment ?? {};
    checkVariableNames(context, 'environment', environment);
    refuseCredentials(context, 'commands', commands.join('\n'), 'the commands');
    refuseCredentialVariables(context, 'environment', environment);

    const step: ToeStep = {
      name,
      action: 'ExecuteBash',
      ...stepSettings(context, this.options),
      inputs: { commands: ['set -e', ...exportLines(environment), ...commands] },
    };
    return {
      name,
      platform: OsFamily.LINUX,
      document: () => ({ schemaVersion: '1.0', phases: [{ name: context.phase, steps: [step] }] }),
    };
  }
}

/** `Provisioner.shellScript()`: a local script, uploaded as an asset, downloaded and run. */
export class ShellScript implements ProvisionerKind {
  public readonly kindName = 'script';

  constructor(private readonly options: ShellScriptProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requireLinux(context, 'Provisioner.shellScript');
    const name = provisionerName(context, this.options);
    const scriptPath = path.resolve(this.options.path);
    if (!fs.existsSync(scriptPath) || !fs.statSync(scriptPath).isFile()) {
      invalidProp(context.scope, `${context.prop}.path`, this.options.path, `no file at ${scriptPath}`,
        'Give the path of an existing script file (relative paths resolve from the working directory of the CDK app; prefer path.join(__dirname, ...))');
    }
    const environment = this.options.environment ?? {};
    checkVariableNames(context, 'environment', environment);
    refuseCredentials(context, 'path', fs.readFileSync(scriptPath, 'utf8'), `the script ${this.options.path}`);
    refuseCredentialVariables(context, 'environment', environment);

    const asset = new s3assets.Asset(context.scope, `${name}Script`, { path: scriptPath });
    grantAssetRead(asset, context.assetReader);
    const target = `${context.workingDirectory}/${name}-${asset.assetHash.slice(0, 8)}${path.extname(scriptPath) || '.sh'}`;
    const args = (this.options.arguments ?? []).map(shellQuote).join(' ');
    const settings = stepSettings(context, this.options);

    return {
      name,
      platform: OsFamily.LINUX,
      document: locate => ({
        schemaVersion: '1.0',
        phases: [{
          name: context.phase,
          steps: [
            { name: `${name}-download`, action: 'S3Download', inputs: [{ source: locate(asset), destination: target, overwrite: true }] },
            {
              name,
              action: 'ExecuteBash',
              ...settings,
              inputs: {
                commands: [
                  'set -e',
                  ...exportLines(environment),
                  `chmod 0700 ${shellQuote(target)}`,
                  // A script without a shebang runs under bash, as Packer runs it under its execute_command.
                  `if head -c 2 ${shellQuote(target)} | grep -q '^#!'; then ${shellQuote(target)}${args ? ' ' + args : ''}; else bash ${shellQuote(target)}${args ? ' ' + args : ''}; fi`,
                  `rm -f ${shellQuote(target)}`,
                ],
              },
            },
          ],
        }],
      }),
    };
  }
}
