import { BASH } from './script-language';
import { InlineCommands, LocalScript } from './script-steps';
import { StepOptions } from './step-options';

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
  /**
   * Path of the local script. It is uploaded as an asset and run with its own shebang (bash when
   * it has none). A script may exit 194 to have the build instance restarted and be run again
   * (as AWSTOE does); it should then check what it has already done.
   */
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

/** `Provisioner.shell()`: inline commands in one ExecuteBash step. */
export class InlineShell extends InlineCommands {
  constructor(options: ShellProvisionerOptions) {
    super(BASH, { kindName: 'shell', factory: 'Provisioner.shell', instead: SHELL_INSTEAD }, options);
  }
}

/** `Provisioner.shellScript()`: a local script, uploaded as an asset, downloaded and run. */
export class ShellScript extends LocalScript {
  constructor(options: ShellScriptProvisionerOptions) {
    super(BASH, { kindName: 'script', factory: 'Provisioner.shellScript', instead: SHELL_INSTEAD }, options);
  }
}

const SHELL_INSTEAD = 'Use Provisioner.powerShell() or Provisioner.powerShellScript() for Windows images';
