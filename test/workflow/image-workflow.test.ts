import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse } from 'yaml';
import { GoldenImage, ImageWorkflow, ParentImage, Provisioner, WorkflowStage } from '../../src';
import { errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

const BUILD_DOCUMENT = `name: hardened-build
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
  - name: ApplyBuildComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: CreateOutputAMI
    action: CreateImage
    onFailure: Abort
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: $.stepOutputs.LaunchBuildInstance.instanceId
`;

const smokeTest = () => ImageWorkflow.testStage({ name: 'smoke', commands: ['systemctl is-active nginx'] });

function workflowDocuments(template: Template): Record<string, any> {
  return Object.fromEntries(resourcesOf(template, 'AWS::ImageBuilder::Workflow').map(w => [w.props.Type + ':' + parse(w.props.Data).name, w.props]));
}

describe('test stages on the deploy-time build', () => {
  const { stack } = imageStack({ workflows: [smokeTest()] });
  const template = Template.fromStack(stack);
  const image = onlyResource(template, 'AWS::ImageBuilder::Image').props;

  test('the stage is a TEST workflow that launches, runs the commands through Run Command and terminates', () => {
    const workflow = workflowDocuments(template)['TEST:smoke'];
    expect(workflow.Version).toMatch(/^1\.0\.\d+$/);
    const steps = parse(workflow.Data).steps;
    expect(steps.map((s: any) => s.action)).toEqual(['LaunchInstance', 'RunCommand', 'TerminateInstance']);
    expect(steps[0].inputs).toEqual({ waitFor: 'ssmAgent' });
    expect(steps[1].inputs).toEqual({
      'documentName': 'AWS-RunShellScript',
      'instanceId.$': '$.stepOutputs.LaunchTestInstance.instanceId',
      'parameters': { commands: ['systemctl is-active nginx'] },
    });
    expect(steps[2].onFailure).toBe('Continue');
  });

  test('the build keeps AWS\'s build and test workflows, then runs the stage, with the execution role', () => {
    const [build, recipeTests, stage] = image.Workflows;
    expect(JSON.stringify(build.WorkflowArn)).toContain(':aws:workflow/build/build-image/x.x.x');
    expect(JSON.stringify(recipeTests.WorkflowArn)).toContain(':aws:workflow/test/test-image/x.x.x');
    expect(recipeTests.ParallelGroup).toBe('recipe-tests');
    expect(stage).toEqual({ WorkflowArn: { 'Fn::GetAtt': [expect.stringMatching(/^WebImageWorkflows/), 'Arn'] }, OnFailure: 'ABORT', ParallelGroup: 'test-smoke' });
    expect(image.Workflows).toHaveLength(3);
    expect(image.ExecutionRole).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebImageExecutionRole/), 'Arn'] });
    expect(image.ImageTestsConfiguration.ImageTestsEnabled).toBe(true);
  });

  test('the execution role may run AWS-RunShellScript, on Image Builder\'s own instances only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ssm:SendCommand', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1::document/AWS-RunShellScript']] } }),
          Match.objectLike({ Action: 'ssm:SendCommand', Condition: { StringEquals: { 'ssm:resourceTag/CreatedBy': 'EC2 Image Builder' } } }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^WebImageExecutionRole') }],
    });
  });

  test('a changed command is a new workflow version; an unchanged one the same', () => {
    const version = (commands: string[]) => workflowDocuments(Template.fromStack(imageStack({
      workflows: [ImageWorkflow.testStage({ name: 'smoke', commands })],
    }).stack))['TEST:smoke'].Version;
    expect(version(['true'])).toBe(version(['true']));
    expect(version(['true'])).not.toBe(version(['false']));
  });
});

test('a Windows image runs the stage with AWS-RunPowerShellScript', () => {
  const { stack } = imageStack({ parentImage: ParentImage.windowsServer({ version: '2022' }), provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })], tests: undefined, validations: undefined, workflows: [smokeTest()] });
  const steps = parse(workflowDocuments(Template.fromStack(stack))['TEST:smoke'].Data).steps;
  expect(steps[1].inputs.documentName).toBe('AWS-RunPowerShellScript');
});

test('without image tests, only the build workflow and the stage run, and tests are switched on for the stage', () => {
  const { stack } = imageStack({ tests: undefined, workflows: [smokeTest()] });
  const image = onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::Image').props;
  expect(image.Workflows).toHaveLength(2);
  expect(image.ImageTestsConfiguration).toEqual({ ImageTestsEnabled: true, TimeoutMinutes: 1440 });
});

test('a timeout becomes the RunCommand step\'s timeoutSeconds and the Command document\'s executionTimeout (one hour otherwise); continueOnFailure the workflow\'s CONTINUE', () => {
  const { stack } = imageStack({ workflows: [ImageWorkflow.testStage({ name: 'slow', commands: ['sleep 10'], timeout: Duration.minutes(30), continueOnFailure: true })] });
  const template = Template.fromStack(stack);
  const step = parse(workflowDocuments(template)['TEST:slow'].Data).steps[1];
  expect(step.timeoutSeconds).toBe(1800);
  expect(step.inputs.parameters).toEqual({ commands: ['sleep 10'], executionTimeout: ['1800'] });
  expect(onlyResource(template, 'AWS::ImageBuilder::Image').props.Workflows[2].OnFailure).toBe('CONTINUE');
});

describe('manual approval', () => {
  test('on a pipeline, it waits last, tells the pipeline\'s topic through a parameter, and the role may publish to it', () => {
    const { template } = pipelineStack({ notifications: {}, workflows: [ImageWorkflow.manualApproval(), smokeTest()] });
    const pipeline = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props;
    const approval = pipeline.Workflows[pipeline.Workflows.length - 1];
    expect(pipeline.Workflows.map((w: any) => w.ParallelGroup)).toEqual([undefined, 'recipe-tests', 'test-smoke', 'approval']);
    expect(approval.Parameters).toEqual([{ Name: 'snsTopicArn', Value: [{ Ref: expect.stringMatching(/^WebImageRebakeNotifications/) }] }]);
    const document = parse(workflowDocuments(template)['TEST:manual-approval'].Data);
    expect(document.steps).toEqual([{ name: 'WaitForApproval', action: 'WaitForAction', onFailure: 'Abort', inputs: { 'snsTopicArn.$': '$.parameters.snsTopicArn' } }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^WebImageRebakeNotifications') } })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^WebImageExecutionRole') }],
    });
  });

  test('the given topic wins; the document does not change with the topic', () => {
    const data = (topicName: string) => {
      const { stack, image } = imageStack({ buildOnDeploy: false });
      const topic = new sns.Topic(stack, topicName);
      image.addPipeline('Rebake', { workflows: [ImageWorkflow.manualApproval({ topic })] });
      const template = Template.fromStack(stack);
      const parameters = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.Workflows[2].Parameters;
      expect(parameters[0].Value).toEqual([{ Ref: expect.stringMatching(new RegExp(`^${topicName}`)) }]);
      return workflowDocuments(template)['TEST:manual-approval'].Data;
    };
    expect(data('ApprovalsA')).toBe(data('ApprovalsB'));
  });

  test('on the deploy-time build it reuses the image\'s topic and warns that cdk deploy waits too', () => {
    const topic = sns.Topic.fromTopicArn(new Stack(new App(), 'Other'), 'Builds', 'arn:aws:sns:eu-west-1:123456789012:builds');
    const { stack } = imageStack({ notificationTopic: topic, workflows: [ImageWorkflow.manualApproval()] });
    const image = onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::Image').props;
    expect(image.Workflows[2].Parameters).toEqual([{ Name: 'snsTopicArn', Value: ['arn:aws:sns:eu-west-1:123456789012:builds'] }]);
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage', Match.stringLikeRegexp('the deploy-time build waits for a manual approval, and so does `cdk deploy`'));
  });

  test('a pipeline that runs on deploy warns that cdk deploy waits for its approval', () => {
    const { stack } = pipelineStack({ notifications: {}, runOnDeploy: true, workflows: [ImageWorkflow.manualApproval()] }, { buildOnDeploy: false });
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('with runOnDeploy, `cdk deploy` waits for the manual approval'));
  });

  test('without any topic it is refused with path, prop and fix', () => {
    expect(errorOf(() => imageStack({ workflows: [ImageWorkflow.manualApproval()] }))).toMatch(
      /^Bake\/WebImage: invalid workflows\[0\]\.topic \(not set\): a manual approval tells an SNS topic.*Give ImageWorkflow\.manualApproval\(\{ topic \}\)/);
  });
});

describe('workflow documents of your own', () => {
  test('a build workflow replaces AWS\'s build-image workflow, without onFailure (a test-workflow setting Image Builder refuses on builds)', () => {
    const { stack } = imageStack({ tests: undefined, workflows: [ImageWorkflow.fromDocument(BUILD_DOCUMENT, { name: 'hardened', stage: WorkflowStage.BUILD })] });
    const template = Template.fromStack(stack);
    const image = onlyResource(template, 'AWS::ImageBuilder::Image').props;
    expect(image.Workflows).toEqual([{ WorkflowArn: { 'Fn::GetAtt': [expect.stringMatching(/^WebImageWorkflows/), 'Arn'] } }]);
    expect(workflowDocuments(template)['BUILD:hardened-build'].Data).toBe(BUILD_DOCUMENT);
  });

  test('a document read from a file, with parameters', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-'));
    const file = path.join(dir, 'check.yaml');
    fs.writeFileSync(file, `name: check
schemaVersion: 1.0
parameters:
  - name: ready
    type: boolean
steps:
  - name: Launch
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: Pause
    action: WaitForAction
    if:
      booleanEquals: true
      value: $.parameters.ready
`);
    const { stack } = imageStack({ workflows: [ImageWorkflow.fromDocumentFile(file, { name: 'check', stage: WorkflowStage.TEST, parameters: { ready: ['true'] } })] });
    const image = onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::Image').props;
    expect(image.Workflows[2]).toMatchObject({ ParallelGroup: 'test-check', Parameters: [{ Name: 'ready', Value: ['true'] }] });
  });

  test.each([
    ['an unknown action', BUILD_DOCUMENT.replace('action: ExecuteComponents', 'action: ExecuteComponent'), /action "ExecuteComponent" is not an Image Builder step action/],
    ['a reference to a later step', BUILD_DOCUMENT.replace('$.stepOutputs.LaunchBuildInstance.instanceId', '$.stepOutputs.CreateOutputAMI.instanceId'), /step 'ApplyBuildComponents': \$\.stepOutputs\.CreateOutputAMI names no earlier step/],
    ['a build that makes no image', BUILD_DOCUMENT.replace('action: CreateImage', 'action: SanitizeInstance'), /has no CreateImage, CreateImageFromIso or RegisterImage step/],
    ['a wrong schema version', BUILD_DOCUMENT.replace('schemaVersion: 1.0', 'schemaVersion: 2.0'), /schemaVersion is "2\.0" and must be 1\.0/],
    ['a bad onFailure', BUILD_DOCUMENT.replace('onFailure: Continue', 'onFailure: Retry'), /onFailure is "Retry" and must be Abort or Continue/],
    ['two steps of one name', BUILD_DOCUMENT.replace('name: CreateOutputAMI', 'name: ApplyBuildComponents'), /another step has the same name/],
    ['an undeclared parameter', BUILD_DOCUMENT.replace('waitFor: ssmAgent', 'waitFor.$: $.parameters.agent'), /\$\.parameters\.agent is not declared/],
    ['a timeout above 12 hours', BUILD_DOCUMENT.replace('    onFailure: Continue', '    onFailure: Continue\n    timeoutSeconds: 50000'), /timeoutSeconds is 50000 and must be a whole number from 0 to 43200/],
  ])('%s is refused at synth with path, prop and fix', (_what, document, problem) => {
    const message = errorOf(() => imageStack({ workflows: [ImageWorkflow.fromDocument(document, { name: 'hardened', stage: WorkflowStage.BUILD })] }));
    expect(message).toMatch(/^Bake\/WebImage: invalid workflows\[0\]\.document 'the workflow document': the workflow document is not a valid build workflow/);
    expect(message).toMatch(problem);
    expect(message).toContain('Fix each problem listed below');
  });

  test('the Run Command documents a document names are the ones the execution role may send', () => {
    const document = `schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: UpdateAgent
    action: RunCommand
    inputs:
      documentName: AWS-UpdateSSMAgent
      instanceId.$: $.stepOutputs.Launch.instanceId
  - name: Check
    action: RunCommand
    inputs:
      documentName: "my-checks"
      instanceId.$: $.stepOutputs.Launch.instanceId
`;
    const { stack } = imageStack({ workflows: [ImageWorkflow.fromDocument(document, { name: 'agent', stage: WorkflowStage.TEST })] });
    const documents = resourcesOf(Template.fromStack(stack), 'AWS::IAM::Policy')
      .flatMap(p => p.props.PolicyDocument.Statement)
      .filter((st: any) => st.Action === 'ssm:SendCommand' && !st.Condition)
      .flatMap((st: any) => [st.Resource].flat().map((r: any) => r['Fn::Join'][1].slice(2).join('')));
    expect(documents).toEqual([':ssm:eu-west-1::document/AWS-UpdateSSMAgent', ':ssm:eu-west-1:123456789012:document/my-checks']);
  });

  test('CollectImageMetadata in a test workflow is refused', () => {
    const document = BUILD_DOCUMENT.replace('action: ExecuteComponents', 'action: CollectImageMetadata').replace('action: CreateImage', 'action: RunCommand');
    expect(errorOf(() => imageStack({ workflows: [ImageWorkflow.fromDocument(document, { name: 'x', stage: WorkflowStage.TEST })] })))
      .toMatch(/CollectImageMetadata runs in build workflows only/);
  });

  test.each([
    ['CollectImageScanFindings in a build workflow', 'CollectImageScanFindings', WorkflowStage.BUILD, /CollectImageScanFindings runs in test workflows only/],
    ['DistributeImage in a test workflow', 'DistributeImage', WorkflowStage.TEST, /DistributeImage runs in distribution workflows only; give AMI settings in the pipeline's distribution instead/],
    ['ModifyImageAttributes in a build workflow', 'ModifyImageAttributes', WorkflowStage.BUILD, /ModifyImageAttributes runs in distribution workflows only/],
  ])('%s is refused (Image Builder restricts the action to another stage)', (_what, action, stage, problem) => {
    const document = BUILD_DOCUMENT.replace('action: ExecuteComponents', `action: ${action}`);
    expect(errorOf(() => imageStack({ workflows: [ImageWorkflow.fromDocument(document, { name: 'x', stage })] }))).toMatch(problem);
  });

  test('CreateImageFromIso makes a build\'s image', () => {
    const document = BUILD_DOCUMENT.replace('action: CreateImage', 'action: CreateImageFromIso');
    expect(() => imageStack({ workflows: [ImageWorkflow.fromDocument(document, { name: 'iso', stage: WorkflowStage.BUILD })] })).not.toThrow();
  });

  test('YAML errors name the line', () => {
    expect(errorOf(() => imageStack({ workflows: [ImageWorkflow.fromDocument('steps:\n  - name: [a\n', { name: 'x', stage: WorkflowStage.TEST })] })))
      .toMatch(/invalid workflows\[0\]\.document 'the workflow document': the workflow document is not valid YAML at line \d+/);
  });
});

describe('bad combinations are refused at synth', () => {
  test.each([
    ['a bad name', [ImageWorkflow.testStage({ name: 'Smoke Test', commands: ['true'] })], /invalid workflows\[0\]\.name 'Smoke Test': a workflow name is 1 to 40 lowercase/],
    ['no commands', [ImageWorkflow.testStage({ name: 'smoke', commands: [] })], /invalid workflows\[0\]\.commands \[\]: a test stage runs at least one command/],
    ['two of one name', [smokeTest(), smokeTest()], /invalid workflows\[1\]\.name 'smoke': workflows\[0\] has the same name/],
    ['two build workflows', [ImageWorkflow.fromDocument(BUILD_DOCUMENT, { name: 'a', stage: WorkflowStage.BUILD }), ImageWorkflow.fromDocument(BUILD_DOCUMENT, { name: 'b', stage: WorkflowStage.BUILD })],
      /invalid workflows\[1\] 'b': a build runs one build workflow and workflows\[0\] is one already\. Keep one workflow with stage WorkflowStage\.BUILD/],
    ['a timeout over 12 hours', [ImageWorkflow.testStage({ name: 'smoke', commands: ['true'], timeout: Duration.hours(13) })], /invalid workflows\[0\]\.timeout '13 hours'/],
    ['a build workflow that goes on after failing', [ImageWorkflow.fromDocument(BUILD_DOCUMENT, { name: 'a', stage: WorkflowStage.BUILD, continueOnFailure: true })],
      /^Bake\/WebImage: invalid workflows\[0\]\.continueOnFailure true: a build workflow's failure always stops the build .*Leave continueOnFailure out of the build workflow$/],
    ['more than 10 workflows with Image Builder\'s own', Array.from({ length: 9 }, (_, i) => ImageWorkflow.testStage({ name: `check-${i}`, commands: ['true'] })),
      /^Bake\/WebImage: invalid workflows '9 workflow\(s\)': Image Builder runs at most 10 workflows per build, and these make 11 with the build workflow and the one that runs the recipe's tests\. Merge test stages, or give fewer$/],
  ])('%s', (_what, workflows, message) => {
    expect(errorOf(() => imageStack({ workflows }))).toMatch(message);
  });

  test('workflows on an image that does not bake at deploy point to the pipeline', () => {
    expect(errorOf(() => imageStack({ buildOnDeploy: false, workflows: [smokeTest()] })))
      .toMatch(/^Bake\/WebImage: invalid workflows '1 workflow\(s\)': they run in the deploy-time build and buildOnDeploy is false\. Give them to the pipeline instead/);
  });
});

test('a pipeline with its tests off still enables tests for its stage, without AWS\'s test workflow', () => {
  const { template } = pipelineStack({ tests: false, workflows: [smokeTest()] });
  const pipeline = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props;
  expect(pipeline.Workflows).toHaveLength(2);
  expect(pipeline.ImageTestsConfiguration.ImageTestsEnabled).toBe(true);
  expect(pipeline.ExecutionRole).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebImageExecutionRole/), 'Arn'] });
});

test('without workflows nothing changes: no Workflows property, no workflow resources', () => {
  const { template } = pipelineStack();
  expect(resourcesOf(template, 'AWS::ImageBuilder::Workflow')).toHaveLength(0);
  expect(onlyResource(template, 'AWS::ImageBuilder::Image').props.Workflows).toBeUndefined();
  expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.Workflows).toBeUndefined();
});

test('a child image follows its parent\'s workflows: a change to them bakes a new parent AMI, so the child\'s recipe gets a new version', () => {
  const childRecipeVersion = (check: string) => {
    const { stack, image } = imageStack({ workflows: [ImageWorkflow.testStage({ name: 'smoke', commands: [check] })] });
    new GoldenImage(stack, 'Child', { parentImage: ParentImage.fromGoldenImage(image), provisioners: [Provisioner.shell({ name: 'motd', commands: ['echo child > /etc/motd'] })] });
    const recipes = resourcesOf(Template.fromStack(stack), 'AWS::ImageBuilder::ImageRecipe');
    return recipes.find(r => r.id.startsWith('Child'))!.props.Version;
  };
  expect(childRecipeVersion('systemctl is-active nginx')).toBe(childRecipeVersion('systemctl is-active nginx'));
  expect(childRecipeVersion('curl -fsS localhost')).not.toBe(childRecipeVersion('systemctl is-active nginx'));
});
