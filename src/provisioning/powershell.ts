import { POWERSHELL } from './script-language';
import { InlineCommands, LocalScript } from './script-steps';
import { StepOptions } from './step-options';

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

/** `Provisioner.powerShell()`: inline commands in one ExecutePowerShell step. */
export class InlinePowerShell extends InlineCommands {
  constructor(options: PowerShellProvisionerOptions) {
    super(POWERSHELL, { kindName: 'powershell', factory: 'Provisioner.powerShell', instead: 'Use Provisioner.shell() for Linux images' }, options);
  }
}

/** `Provisioner.powerShellScript()`: a local script, uploaded as an asset, downloaded and run. */
export class PowerShellScript extends LocalScript {
  constructor(options: PowerShellScriptProvisionerOptions) {
    super(POWERSHELL, { kindName: 'powershell-script', factory: 'Provisioner.powerShellScript', instead: 'Use Provisioner.shellScript() for Linux images' }, options);
  }
}
