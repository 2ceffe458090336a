import { Command } from 'commander';
import type { ImportPackerOptions } from './import-packer';
import { CliCommand } from '../core/program';
import { collectRepeated } from '../core/repeatable-option';

const HELP_AFTER = `
Writes a TypeScript file with a construct that builds the template's images with GoldenImage,
ParentImage and Provisioner (and an ImagePipeline where the template distributes), and prints what
mapped, what mapped approximately and what has no equivalent (also as comments in the code).
Credentials in the template are never copied. Variables: defaults, PKR_VAR_*, *.auto.pkrvars.hcl,
--var-file in order, --var (the last wins), as Packer does.

Exit codes: 0 the file was written; 2 bad input (a template or var-file that cannot be read,
an unknown variable): nothing was written.

Examples:
  npx cdk-immutable-infra import-packer packer/ --var-file prod.pkrvars.hcl --out lib/images.ts
  npx cdk-immutable-infra import-packer template.json --var region=eu-west-1 --json
`;

/** `cdk-immutable-infra import-packer`. */
export const importPackerCommand: CliCommand = {
  register(program: Command, context, run) {
    program.command('import-packer')
      .summary('turn a Packer template into GoldenImage code')
      .description('Import a Packer template (HCL2 file or folder, or legacy JSON) as a TypeScript construct using GoldenImage.')
      .argument('<template>', 'a .pkr.hcl or .json template, or a folder of .pkr.hcl files')
      .option('--var-file <file>', 'a .pkrvars.hcl or .json file of variable values (repeatable)', collectRepeated)
      .option('--var <name=value>', 'a variable value (repeatable; wins over var-files)', collectRepeated)
      .option('--only <source>', 'import only this source (repeatable)', collectRepeated)
      .option('--out <file>', 'the TypeScript file to write (default: <template name>-images.ts)')
      .option('--json', 'print the report as JSON on standard output')
      .addHelpText('after', HELP_AFTER)
      .action(async (template: string, flags: Partial<ImportPackerOptions>) => run(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { importPacker } = require('./import-packer') as typeof import('./import-packer');
        const options = { template, varFile: flags.varFile ?? [], var: flags.var ?? [], only: flags.only, out: flags.out, json: Boolean(flags.json) };
        return importPacker(options, context);
      }));
  },
};
