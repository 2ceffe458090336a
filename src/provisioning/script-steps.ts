import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { grantAssetRead } from './asset-access';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { ScriptLanguage } from './script-language';
import { StepOptions } from './step-options';
import { checkVariableNames, provisionerName, refuseCredentials, refuseCredentialVariables, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { invalidProp } from '../private/errors';

/** Options shared by the inline kinds (shell, PowerShell). */
export interface InlineCommandOptions extends StepOptions {
  readonly commands: string[];
  readonly environment?: { [name: string]: string };
}

/** Options shared by the script kinds (shell, PowerShell). */
export interface LocalScriptOptions extends StepOptions {
  readonly path: string;
  readonly arguments?: string[];
  readonly environment?: { [name: string]: string };
}

/** How a kind presents itself in messages. */
export interface ScriptKindNames {
  /** Short name for default provisioner names (`shell-1`). */
  readonly kindName: string;
  /** The factory the user called, e.g. `Provisioner.shell`. */
  readonly factory: string;
  /** What to use on the other OS family instead. */
  readonly instead: string;
}

/** Commands run in one step, after the language's stop-on-error line and the environment. */
export class InlineCommands implements ProvisionerKind {
  public readonly kindName: string;

  constructor(private readonly language: ScriptLanguage, private readonly names: ScriptKindNames, private readonly options: InlineCommandOptions) {
    this.kindName = names.kindName;
  }

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requirePlatform(context, this.language, this.names);
    const name = provisionerName(context, this.options);
    const commands = this.options.commands;
    if (!commands || commands.length === 0) {
      invalidProp(context.scope, `${context.prop}.commands`, commands, `a ${this.language.label} provisioner needs at least one command`,
        'Give the commands to run, or remove the provisioner');
    }
    refuseCredentials(context, 'commands', commands.join('\n'), 'the commands');
    const environment = environmentLines(context, this.language, this.options.environment);

    const step: ToeStep = {
      name,
      action: this.language.action,
      ...stepSettings(context, this.options),
      inputs: { commands: [this.language.stopOnError, ...environment, ...commands] },
    };
    return {
      name,
      platform: this.language.platform,
      document: () => singlePhase(context, [step]),
    };
  }
}

/** A local script: uploaded as an asset, downloaded by S3Download, run, and removed. */
export class LocalScript implements ProvisionerKind {
  public readonly kindName: string;

  constructor(private readonly language: ScriptLanguage, private readonly names: ScriptKindNames, private readonly options: LocalScriptOptions) {
    this.kindName = names.kindName;
  }

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    requirePlatform(context, this.language, this.names);
    const name = provisionerName(context, this.options);
    const scriptPath = path.resolve(this.options.path);
    if (!fs.existsSync(scriptPath) || !fs.statSync(scriptPath).isFile()) {
      invalidProp(context.scope, `${context.prop}.path`, this.options.path, `no file at ${scriptPath}`,
        'Give the path of an existing script file (relative paths resolve from the working directory of the CDK app; prefer path.join(__dirname, ...))');
    }
    const args = this.options.arguments ?? [];
    refuseCredentials(context, 'path', fs.readFileSync(scriptPath, 'utf8'), `the script ${this.options.path}`);
    refuseCredentials(context, 'arguments', args.join('\n'), 'the arguments');
    const environment = environmentLines(context, this.language, this.options.environment);

    const asset = new s3assets.Asset(context.scope, `${name}Script`, { path: scriptPath });
    grantAssetRead(asset, context.assetReader);
    const target = this.language.scriptTarget(context.scriptDirectory, `${name}-${asset.assetHash.slice(0, 8)}`, scriptPath);
    const run: ToeStep = {
      name,
      action: this.language.action,
      ...stepSettings(context, this.options),
      inputs: { commands: [this.language.stopOnError, ...environment, ...this.language.runScript(target, args)] },
    };
    return {
      name,
      platform: this.language.platform,
      document: locate => singlePhase(context, [
        { name: `${name}-download`, action: 'S3Download', inputs: [{ source: locate(asset), destination: target, overwrite: true }] },
        run,
      ]),
    };
  }
}

function requirePlatform(context: ProvisionerBindContext, language: ScriptLanguage, names: ScriptKindNames): void {
  if (context.osFamily !== language.platform) {
    invalidProp(context.scope, context.prop, names.factory, language.wrongPlatform, names.instead);
  }
}

/** Validates the environment and renders it in the language, names sorted for stable documents. */
function environmentLines(context: ProvisionerBindContext, language: ScriptLanguage, environment: Record<string, string> = {}): string[] {
  checkVariableNames(context, 'environment', environment);
  refuseCredentialVariables(context, 'environment', environment);
  return Object.keys(environment).sort().map(name => language.environmentLine(name, environment[name]));
}
