import { stackRows, synthesiseExampleApp } from './example-app';
import { checkAssembly, formatFindings } from '../../tools/cfn-schema';

/*
 * Every template of the example app against the official CloudFormation resource schemas
 * (tools/cfn-schema): zero findings. A finding here is something CloudFormation would reject
 * at deploy time, or a property it would silently not have.
 */
describe('example app against the CloudFormation resource schemas', () => {
  const example = synthesiseExampleApp();
  const results = new Map(checkAssembly(example.assembly.directory).map(r => [r.templateFile, r.findings]));

  test('every stack buildExampleApp returns has a template in the assembly', () => {
    for (const stack of example.stacks) {
      expect([...results.keys()]).toContain(stack.templateFile);
    }
  });

  test.each(stackRows(example.stacks))('%s has no findings', (_path, stack) => {
    expect(formatFindings(results.get(stack.templateFile) ?? [])).toBe('');
  });
});
