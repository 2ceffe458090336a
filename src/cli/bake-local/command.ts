import { Command } from 'commander';
import type { BakeLocalOptions } from './bake';
import { CliCommand } from '../core/program';
import { collectRepeated } from '../core/repeatable-option';

const HELP_AFTER = `
Runs the image's component documents as cdk synth wrote them in the cloud assembly: the build and
validate phases (and the test phase with --test) in a local root filesystem, with Image Builder's
order and AWSTOE's step semantics. Needs root and Linux (mount, unshare); no Docker, no AWS account.
The root comes from the recipe's parent image (Debian or Ubuntu, built once with debootstrap and
cached) or from --rootfs. What it does not do: boot a kernel, serve instance metadata, call AWS.

Exit codes: 0 every step passed; 1 a step failed; 2 bad input (nothing was run).

Examples:
  npx cdk synth && sudo npx cdk-immutable-infra bake-local --image MyStack/WebImage --test
  sudo npx cdk-immutable-infra bake-local --app cdk.out --keep /tmp/web-root --json
`;

/** `cdk-immutable-infra bake-local`. */
export const bakeLocalCommand: CliCommand = {
  register(program: Command, context, run) {
    program.command('bake-local')
      .summary('run an image\'s provisioners on this machine, in seconds')
      .description('Run a synthesised image\'s AWSTOE documents in a local Linux root filesystem and report step by step.')
      .option('--app <dir>', 'the cloud assembly to read', 'cdk.out')
      .option('--image <path-or-id>', 'the image: its construct path (Stack/Image) or id (default: the only image)')
      .option('--test', 'also run the test phase, on a fresh overlay, in its own network namespace')
      .option('--keep <dir>', 'copy the resulting root filesystem to <dir> (new or empty) to inspect it')
      .option('--rootfs <dir>', 'use this prepared root filesystem instead of one built from the parent image')
      .option('--cache <dir>', 'where built roots and step logs are kept (default: ~/.cache/cdk-immutable-infra/bake-local, or under $XDG_CACHE_HOME)')
      .option('--skip <component>', 'leave out a component the assembly has no document for (repeatable)', collectRepeated)
      .option('--json', 'print the result as JSON on standard output')
      .option('--quiet', 'progress as plain lines, without the live line')
      .addHelpText('after', HELP_AFTER)
      .action(async (flags: Partial<BakeLocalOptions>) => run(async () => {
        const options: BakeLocalOptions = { app: 'cdk.out', ...flags, skip: flags.skip ?? [], test: Boolean(flags.test), json: Boolean(flags.json), quiet: Boolean(flags.quiet) };
        // Loaded only when the command runs: --help and the other commands never pay for it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { bakeLocal } = require('./bake') as typeof import('./bake');
        return bakeLocal(options, context);
      }));
  },
};
