import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { stackRows, synthesiseExampleApp } from './example-app';

/*
 * cdk-nag's AwsSolutions pack over every example stack: no unsuppressed errors or warnings.
 * What the library must keep (e.g. the AWS-managed policies Image Builder needs) is suppressed
 * in the library itself, on the one resource, with the reason (src/private/nag-suppressions.ts).
 */
describe('example app under cdk-nag AwsSolutions', () => {
  const example = synthesiseExampleApp();
  const violations = new AwsSolutionsChecks().validateScope(example.app).violations.flatMap(v => v.violatingResources.map(r => ({
    path: r.constructPath ?? '',
    text: `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`,
  })));

  test.each(stackRows(example.stacks))('%s has no unsuppressed errors or warnings', stackPath => {
    expect(violations.filter(v => v.path.startsWith(`${stackPath}/`)).map(v => v.text)).toEqual([]);
  });

  test('nothing outside the example stacks is flagged either', () => {
    expect(violations.filter(v => !example.stacks.some(s => v.path.startsWith(`${s.node.path}/`))).map(v => v.text)).toEqual([]);
  });

  test('every cdk-nag suppression sits on one resource (a CfnResource or an L2 over one) and says why', () => {
    // aws-cdk-lib acknowledges some of its own validator's rules on stacks: only AwsSolutions ones count here.
    const suppressions = constructs(example.app).flatMap(c => c.node.metadata
      .filter(m => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ construct: c, id, reason }))))
      .filter(s => /^(Annotation::)?AwsSolutions-/.test(s.id));
    expect(suppressions.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of suppressions) {
      expect(`${id} on ${construct.node.path}: ${isOneResource(construct)}`).toBe(`${id} on ${construct.node.path}: true`);
      expect(reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  test('registered the way users do (Validations.of(app).addPlugins), the pack lets synth pass', () => {
    let directory = '';
    expect(() => {
      directory = synthesiseExampleApp({}, app => Validations.of(app).addPlugins(new AwsSolutionsChecks(app))).assembly.directory;
    }).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(directory, 'validation-report.json'), 'utf-8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });
});

/** A CloudFormation resource, or an L2 construct whose default child is one: not a stack or a group of resources. */
function isOneResource(construct: IConstruct): boolean {
  const child = construct.node.defaultChild;
  return CfnResource.isCfnResource(construct) || (child !== undefined && CfnResource.isCfnResource(child));
}

function constructs(root: IConstruct): IConstruct[] {
  return [root, ...root.node.children.flatMap(constructs)];
}
