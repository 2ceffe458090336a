import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/**
 * Dockerfile instructions that set how the image runs (Packer docker builder's `changes`),
 * rendered after the components' build steps.
 */
export interface DockerfileInstructions {
  /**
   * Environment variables of containers run from the image (`ENV`).
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * TCP ports the image documents as listening (`EXPOSE`).
   *
   * @default - none
   */
  readonly exposedPorts?: number[];

  /**
   * The user (and optionally `:group`) containers run as (`USER`), by name or id.
   *
   * @default - the parent image's (root for most distribution images)
   */
  readonly user?: string;

  /**
   * The program containers run, in exec form (`ENTRYPOINT ["..."]`).
   *
   * @default - the parent image's
   */
  readonly entrypoint?: string[];

  /**
   * The default arguments (or, without an entrypoint, the command), in exec form (`CMD ["..."]`).
   *
   * @default - the parent image's
   */
  readonly command?: string[];

  /**
   * Image labels (`LABEL`), for example OCI annotations such as `org.opencontainers.image.source`.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;

/**
 * Renders the instructions as Dockerfile lines, after checking every value: each instruction
 * is one line, so a line break would start an instruction of the caller's making, and
 * `{{` would be read by Image Builder's template engine.
 */
export function renderDockerfileInstructions(scope: IConstruct, prop: string, instructions: DockerfileInstructions = {}): string[] {
  const lines: string[] = [];
  const labels = sortedEntries(scope, `${prop}.labels`, instructions.labels, LABEL_KEY, 'a label key is letters, digits, \'.\', \'_\', \'/\' and \'-\'');
  if (labels.length > 0) {
    lines.push(`LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${quoted(v)}`).join(' ')}`);
  }
  const environment = sortedEntries(scope, `${prop}.environment`, instructions.environment, ENV_NAME, 'an environment variable name is letters, digits and \'_\', not starting with a digit');
  if (environment.length > 0) {
    lines.push(`ENV ${environment.map(([k, v]) => `${k}=${quoted(v)}`).join(' ')}`);
  }
  const ports = instructions.exposedPorts ?? [];
  ports.forEach((port, i) => {
    if (Token.isUnresolved(port) || !Number.isInteger(port) || port < 1 || port > 65535) {
      invalidProp(scope, `${prop}.exposedPorts[${i}]`, port, 'a port is a whole number from 1 to 65535, known at synth', 'Give the port number, e.g. 8080');
    }
  });
  if (ports.length > 0) {
    lines.push(`EXPOSE ${[...new Set(ports)].sort((a, b) => a - b).join(' ')}`);
  }
  if (instructions.user !== undefined) {
    checkText(scope, `${prop}.user`, instructions.user);
    if (!USER.test(instructions.user)) {
      invalidProp(scope, `${prop}.user`, instructions.user, 'USER takes a user name or id, optionally \':\' and a group',
        'Give e.g. \'app\', \'1000\' or \'app:app\'');
    }
    lines.push(`USER ${instructions.user}`);
  }
  for (const [name, instruction] of [['entrypoint', 'ENTRYPOINT'], ['command', 'CMD']] as const) {
    const args = instructions[name];
    if (args === undefined) {
      continue;
    }
    if (args.length === 0) {
      invalidProp(scope, `${prop}.${name}`, args, `an empty ${instruction} clears the parent's and runs nothing`, `Give the program and its arguments, or leave ${name} unset`);
    }
    args.forEach((arg, i) => checkText(scope, `${prop}.${name}[${i}]`, arg));
    // Exec form is a JSON array: no shell, so no expansion of what the arguments hold.
    lines.push(`${instruction} ${JSON.stringify(args)}`);
  }
  return lines;
}

function sortedEntries(scope: IConstruct, prop: string, map: { [key: string]: string } | undefined, key: RegExp, rule: string):
Array<[string, string]> {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (!key.test(k)) {
      invalidProp(scope, `${prop} key`, k, rule, 'Rename the key');
    }
    checkText(scope, `${prop}.${k}`, v);
  }
  return entries;
}

/** A value on one Dockerfile line, known at synth (the Dockerfile is hashed into the recipe version). */
function checkText(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value)) {
    invalidProp(scope, prop, value, 'the Dockerfile is hashed into the recipe version at synth and a token has no stable value', 'Give a plain string');
  }
  if (/[\r\n\0]/.test(value)) {
    invalidProp(scope, prop, value, 'a line break (or NUL) would end the instruction and let the rest of the value run as Dockerfile instructions of its own',
      'Give a single-line value; put multi-line content into a file with Provisioner.file');
  }
  if (value.includes('{{')) {
    invalidProp(scope, prop, value, 'Image Builder reads \'{{\' in the Dockerfile template as the start of one of its placeholders', 'Remove the \'{{\'');
  }
}

/** A double-quoted Dockerfile word: backslash escapes, and `$` kept literal (no variable substitution). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`;
}
