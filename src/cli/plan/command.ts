import { Command, Option } from 'commander';
import type { PlanOptions } from './plan';
import { CliCommand } from '../core/program';

const HELP_AFTER = `
Compares two synthesised apps (cloud assemblies, or folders of *.template.json) and says, per
stack, which images re-bake and why (each changed component's AWSTOE document as a unified diff,
parent image, root volume, the files of changed assets), which deployments release a new
generation and why, the release's steps and times against CloudFormation's one-hour limit, and
what else is replaced, updated in place, created or deleted. Reads files only: no AWS account.

Exit codes: 0 planned (and nothing --fail-on names); 1 --fail-on matched; 2 bad input.

Examples:
  git stash && npx cdk synth -o base.out && git stash pop && npx cdk synth
  npx cdk-immutable-infra plan --base base.out
  npx cdk-immutable-infra plan --base base.out --json --fail-on release
`;

/** `cdk-immutable-infra plan`. */
export const planCommand: CliCommand = {
  register(program: Command, context, run) {
    program.command('plan')
      .summary('say what a change re-bakes and releases, before you deploy it')
      .description('Compare two synthesised apps: the images that re-bake, the generations that release, and why.')
      .requiredOption('--base <dir>', 'the app as deployed now: its cdk.out, or a folder of templates')
      .option('--app <dir>', 'the app to deploy: its cdk.out, or a folder of templates', 'cdk.out')
      .option('--json', 'print the plan as JSON on standard output')
      .addOption(new Option('--fail-on <what>', 'exit 1 when the plan has a release (or a re-bake)').choices(['release', 'rebake']))
      .addHelpText('after', HELP_AFTER)
      .action(async (flags: PlanOptions) => run(async () => {
        // Loaded only when the command runs: --help and the other commands never pay for it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { plan } = require('./plan') as typeof import('./plan');
        return plan({ ...flags, json: Boolean(flags.json) }, context);
      }));
  },
};
