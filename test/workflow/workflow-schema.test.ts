import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GoldenImage, ImageWorkflow, ParentImage, Provisioner, VmExport } from '../../src';
import { STRICT_VALIDATION, withDefaultValidation } from '../strict-validation';
import { ENV } from '../support/stacks';

/*
 * Workflows on a deploy-time build and a pipeline, and the exports of pipeline bakes, through
 * aws-cdk-lib's CloudFormation validator in strict mode: AWS::ImageBuilder::Workflow, the
 * images' and pipeline's Workflows (ParallelGroup, Parameters, OnFailure) and the state
 * machine are checked against the resource schemas.
 */
describe('workflows and pipeline-bake exports pass CloudFormation schema validation', () => {
  withDefaultValidation();

  function bake(app: App): Stack {
    const stack = new Stack(app, 'Bake', { env: ENV });
    const topic = new sns.Topic(stack, 'Approvals');
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.updateOs()],
      tests: [Provisioner.shell({ name: 'boots', commands: ['true'] })],
      rootVolume: { encrypted: false },
      vmExports: [VmExport.toBucket(new s3.Bucket(stack, 'Disks'), { prefix: 'vagrant/web/' })],
      workflows: [ImageWorkflow.testStage({ name: 'smoke', commands: ['systemctl is-active ssh'] })],
    });
    image.addPipeline('Rebake', {
      workflows: [ImageWorkflow.testStage({ name: 'smoke', commands: ['true'], continueOnFailure: true }), ImageWorkflow.manualApproval({ topic })],
    });
    return stack;
  }

  test('strict synth succeeds with an empty validation report', () => {
    const validate = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
    const app = new App({ context: STRICT_VALIDATION });
    const stack = bake(app);
    const assembly = app.synth();

    const validated = validate.mock.calls.flatMap(([context]: [IPolicyValidationContext]) => context.templatePaths.map(p => path.basename(p)));
    expect(validated).toEqual([stack.templateFile]);
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('cdk-nag AwsSolutions flags nothing the image, its workflows, role grants or export state machine add', () => {
    const app = new App();
    bake(app);
    const flagged = new AwsSolutionsChecks().validateScope(app).violations
      .flatMap(v => v.violatingResources.map(r => `${v.ruleName} at ${r.constructPath}`))
      .filter(text => text.includes('/WebImage/'));
    expect(flagged).toEqual([]);
  });
});
