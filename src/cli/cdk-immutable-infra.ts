#!/usr/bin/env node
import { bakeLocalCommand } from './bake-local/command';
import { SANDBOX_COMMAND } from './bake-local/sandbox/sandbox-protocol';
import { CliCommand, runCli } from './core/program';
import { importPackerCommand } from './import-packer/command';
import { planCommand } from './plan/command';
import { vagrantBoxCommand } from './vagrant-box/command';

/** Every command of the command line. */
const COMMANDS: readonly CliCommand[] = [bakeLocalCommand, importPackerCommand, planCommand, vagrantBoxCommand];

async function main(): Promise<void> {
  if (process.argv[2] === SANDBOX_COMMAND) {
    // The command line run again inside bake-local's sandbox (not a user command).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { sandboxMain } = require('./bake-local/sandbox/sandbox-main') as typeof import('./bake-local/sandbox/sandbox-main');
    try {
      process.exit(await sandboxMain());
    } catch (e) {
      process.stderr.write(`bake-local sandbox: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    }
  }
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }, COMMANDS);
}

void main();
