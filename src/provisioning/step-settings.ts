import { Token } from 'aws-cdk-lib';
import { CREDENTIALS_FIX, findCredentialInVariable, findCredentials } from './credentials';
import { ProvisionerBindContext } from './provisioner-kind';
import { StepOptions } from './step-options';
import { ToeOnFailure } from './toe/component-document';
import { invalidProp } from '../private/errors';

/** AWSTOE step names: letters, digits, hyphens and underscores (Image Builder component names alike). */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The settings AWSTOE takes on every step, only those the user set. */
export interface StepSettings {
  readonly timeoutSeconds?: number;
  readonly onFailure?: ToeOnFailure;
  readonly maxAttempts?: number;
}

/** Validates the provisioner's name and returns it (or the default). */
export function provisionerName(context: ProvisionerBindContext, options: StepOptions): string {
  const name = options.name ?? context.defaultName;
  if (!NAME_PATTERN.test(name)) {
    invalidProp(context.scope, `${context.prop}.name`, name,
      'a provisioner name may hold letters, digits, hyphens and underscores, start with a letter or digit, and be at most 100 characters',
      'Rename the provisioner, e.g. \'install-nginx\'');
  }
  return name;
}

/** Validates and renders timeout, maxAttempts and onFailure. */
export function stepSettings(context: ProvisionerBindContext, options: StepOptions): StepSettings {
  const settings: { timeoutSeconds?: number; onFailure?: ToeOnFailure; maxAttempts?: number } = {};
  if (options.timeout !== undefined && !options.timeout.isUnresolved()) {
    const seconds = options.timeout.toSeconds();
    if (seconds < 1) {
      invalidProp(context.scope, `${context.prop}.timeout`, `${seconds} seconds`, 'a step timeout must be at least one second',
        'Give a positive Duration, or leave timeout unset for AWSTOE\'s two hours');
    }
    settings.timeoutSeconds = seconds;
  }
  if (options.maxAttempts !== undefined && !Token.isUnresolved(options.maxAttempts)) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      invalidProp(context.scope, `${context.prop}.maxAttempts`, options.maxAttempts, 'maxAttempts must be a whole number of at least 1',
        'Set maxAttempts to 1 (no retry) or more');
    }
    settings.maxAttempts = options.maxAttempts;
  }
  if (options.onFailure !== undefined) {
    // StepFailureAction's values are AWSTOE's own spellings.
    settings.onFailure = options.onFailure as string as ToeOnFailure;
  }
  return settings;
}

/** Refuses text that carries credentials, naming where they were found. */
export function refuseCredentials(context: ProvisionerBindContext, prop: string, text: string, what: string): void {
  const findings = findCredentials(text);
  if (findings.length > 0) {
    const where = findings.map(f => `${f.kind} on line ${f.line}`).join(', ');
    invalidProp(context.scope, `${context.prop}.${prop}`, '(value withheld)', `${what} contains ${where}`, CREDENTIALS_FIX);
  }
}

/** Refuses environment variables whose values carry credentials. */
export function refuseCredentialVariables(context: ProvisionerBindContext, prop: string, variables: Record<string, string>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (Token.isUnresolved(value)) {
      continue;
    }
    const findings = findCredentialInVariable(name, value);
    if (findings.length > 0) {
      invalidProp(context.scope, `${context.prop}.${prop}.${name}`, '(value withheld)', `the variable holds ${findings[0].kind}`, CREDENTIALS_FIX);
    }
  }
}

/** Environment variable names a shell accepts. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates environment variable names. */
export function checkVariableNames(context: ProvisionerBindContext, prop: string, variables: Record<string, string>): void {
  for (const name of Object.keys(variables)) {
    if (!VARIABLE_NAME.test(name)) {
      invalidProp(context.scope, `${context.prop}.${prop}`, name, 'an environment variable name may hold letters, digits and underscores and must not start with a digit',
        'Rename the variable');
    }
  }
}

/** Checks the parameter values given to an existing component (AWS-managed or by ARN) and copies them. */
export function componentParameters(context: ProvisionerBindContext, parameters: Record<string, string> | undefined):
Record<string, string> | undefined {
  if (parameters === undefined) {
    return undefined;
  }
  for (const name of Object.keys(parameters)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      invalidProp(context.scope, `${context.prop}.parameters`, name, 'a component parameter name holds letters, digits, hyphens and underscores',
        'Use the parameter name exactly as the component declares it');
    }
  }
  refuseCredentialVariables(context, 'parameters', parameters);
  return { ...parameters };
}
