import { checkAssembly } from './check-assembly';
import { formatFindings } from './findings';

/*
 * Checks every template of a synthesised cloud assembly against the CloudFormation resource
 * schemas and exits 1 when anything is found:
 *
 *   npx ts-node -P tools/tsconfig.json --transpile-only tools/cfn-schema/cli.ts [cdk.out]
 */
const directory = process.argv[2] ?? 'cdk.out';
let total = 0;
for (const { templateFile, findings } of checkAssembly(directory)) {
  total += findings.length;
  console.log(`${templateFile}: ${findings.length === 0 ? 'ok' : `${findings.length} finding(s)`}`);
  if (findings.length > 0) {
    console.log(formatFindings(findings).replace(/^/gm, '  '));
  }
}
process.exitCode = total === 0 ? 0 : 1;
