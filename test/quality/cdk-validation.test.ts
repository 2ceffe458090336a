import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { buildExampleApp } from '../../examples/golden-web';
import { STRICT_VALIDATION, withDefaultValidation } from '../strict-validation';

/*
 * aws-cdk-lib (2.262+) validates every template inside `app.synth()` (not only from the CLI)
 * with its bundled CloudFormation validator, unless CDK_VALIDATION=false, the App's
 * `builtinCloudFormationValidation: false` or `cdk synth --no-validation`. By default its
 * errors are downgraded to warnings printed on stderr and synth succeeds; the
 * `validateAgainstDefaultRules` flag keeps them errors, `strictCfnValidateErrors` fails on
 * warnings too, and under jest (NODE_ENV=test) a failing report is thrown from `app.synth()`.
 * This is the one test that keeps it on; everything else turns it off for speed.
 */

describe('aws-cdk-lib template validation during synth', () => {
  withDefaultValidation();

  test('the example app synthesises with strict validation on, and the validator checked every example template', () => {
    const validate = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
    const app = new App({ context: STRICT_VALIDATION });
    const stacks = buildExampleApp(app);

    const assembly = app.synth();

    const validated = validate.mock.calls.flatMap(([context]: [IPolicyValidationContext]) => context.templatePaths.map(p => path.basename(p)));
    expect(validated.sort()).toEqual(stacks.map(s => s.templateFile).sort());
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('a deliberately broken stack fails synth with the validator\'s finding', () => {
    const app = new App({ context: STRICT_VALIDATION });
    // The L1 takes any value for the AMI settings: only the schema knows they are PascalCase.
    new imagebuilder.CfnDistributionConfiguration(new Stack(app, 'Broken'), 'Distribution', {
      name: 'golden-web',
      distributions: [{ region: 'eu-west-1', amiDistributionConfiguration: { name: 'web-{{ imagebuilder:buildDate }}' } }],
    });

    expect(() => app.synth()).toThrow(/AmiDistributionConfiguration\.name: Additional properties are not allowed/);
  });
});
