import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ImagePipeline, VulnerabilitySeverity } from '../../src/pipeline/image-pipeline';
import { errorOf, imageStack, onlyResource, pipelineProps, pipelineStack, resourcesOf } from '../support/stacks';

describe('ImagePipeline defaults', () => {
  const { stack, image, pipeline, template } = pipelineStack();

  test('reuses the image\'s recipe, infrastructure and distribution: no second recipe or configuration', () => {
    template.resourceCountIs('AWS::ImageBuilder::ImageRecipe', 1);
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    template.resourceCountIs('AWS::ImageBuilder::DistributionConfiguration', 1);
    const props = pipelineProps(template);
    expect(props.ImageRecipeArn).toEqual(stack.resolve(image.imageRecipeArn));
    expect(props.InfrastructureConfigurationArn).toEqual(stack.resolve(image.infrastructureConfigurationArn));
    expect(props.DistributionConfigurationArn).toEqual(stack.resolve(image.distributionConfigurationArn));
    expect(props.ImageRecipeArn).toEqual({ 'Fn::GetAtt': [onlyResource(template, 'AWS::ImageBuilder::ImageRecipe').id, 'Arn'] });
  });

  test('is enabled, runs the image\'s tests with its timeout, collects metadata, and tags its builds', () => {
    const props = pipelineProps(template);
    expect(props).toMatchObject({
      Status: 'ENABLED',
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 1440 },
      EnhancedImageMetadataEnabled: true,
      ImageTags: { 'cdk-immutable-infra:image': image.imageName },
    });
    expect(props.Name).toMatch(/^bake-webimage-rebake-[0-9a-f]{8}$/);
    for (const absent of ['ImageScanningConfiguration', 'LoggingConfiguration', 'ExecutionRole', 'Description']) {
      expect(props).not.toHaveProperty(absent);
    }
  });

  test('adds nothing else: no role, topic, log group, lifecycle policy or second image', () => {
    template.resourceCountIs('AWS::ImageBuilder::LifecyclePolicy', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.resourceCountIs('AWS::ImageBuilder::Image', 1);
    expect(resourcesOf(template, 'AWS::IAM::Role').map(r => r.id)).toEqual([expect.stringMatching(/^WebImageInstanceRole/)]);
  });

  test('exposes the pipeline ARN and name, and no deploy-time image', () => {
    const id = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').id;
    expect(stack.resolve(pipeline.pipelineArn)).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(stack.resolve(pipeline.pipelineName)).toEqual({ 'Fn::GetAtt': [id, 'Name'] });
    expect(() => pipeline.imageId).toThrow(/Bake\/WebImage\/Rebake: imageId is only available with runOnDeploy: true/);
    expect(pipeline.lifecyclePolicyArn).toBeUndefined();
  });

  test('the deploy-time image carries the same build tag, so retirement finds both kinds of builds', () => {
    const deployTime = onlyResource(template, 'AWS::ImageBuilder::Image').props;
    expect(deployTime.Tags).toEqual({ 'cdk-immutable-infra:image': image.imageName });
    expect(deployTime).not.toHaveProperty('ExecutionRole');
  });
});

describe('ImagePipeline options', () => {
  test('new ImagePipeline and image.addPipeline build the same pipeline', () => {
    const viaMethod = pipelineStack({ description: 'weekly' });
    const { stack, image } = imageStack();
    new ImagePipeline(image, 'Rebake', { image, description: 'weekly' });
    expect(Template.fromStack(stack).toJSON()).toEqual(viaMethod.template.toJSON());
  });

  test('a second pipeline of the same image shares everything but the pipeline', () => {
    const { stack, image } = imageStack();
    image.addPipeline('Weekly');
    image.addPipeline('Nightly');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 2);
    template.resourceCountIs('AWS::ImageBuilder::ImageRecipe', 1);
    const names = resourcesOf(template, 'AWS::ImageBuilder::ImagePipeline').map(p => p.props.Name);
    expect(new Set(names).size).toBe(2);
  });

  test('description, disabled, tests off, scanning on, metadata off', () => {
    const props = pipelineProps(pipelineStack({
      description: 'Rebakes the web image',
      enabled: false,
      tests: false,
      vulnerabilityScanning: true,
      enhancedImageMetadata: false,
    }).template);
    expect(props).toMatchObject({
      Description: 'Rebakes the web image',
      Status: 'DISABLED',
      ImageTestsConfiguration: { ImageTestsEnabled: false },
      ImageScanningConfiguration: { ImageScanningEnabled: true },
      EnhancedImageMetadataEnabled: false,
    });
  });

  test('test timeout; tests on for an image without tests', () => {
    expect(pipelineProps(pipelineStack({ testTimeout: Duration.hours(2) }).template).ImageTestsConfiguration)
      .toEqual({ ImageTestsEnabled: true, TimeoutMinutes: 120 });
    expect(pipelineProps(pipelineStack({}, { tests: [] }).template).ImageTestsConfiguration).toEqual({ ImageTestsEnabled: false });
    // An image without tests has no test timeout to inherit.
    expect(pipelineProps(pipelineStack({ tests: true }, { tests: [] }).template).ImageTestsConfiguration)
      .toEqual({ ImageTestsEnabled: true, TimeoutMinutes: 1440 });
    expect(pipelineProps(pipelineStack({}, { testTimeout: Duration.hours(3) }).template).ImageTestsConfiguration)
      .toEqual({ ImageTestsEnabled: true, TimeoutMinutes: 180 });
  });

  test('autoDisableAfterFailures', () => {
    expect(pipelineProps(pipelineStack({ autoDisableAfterFailures: 2 }).template).Schedule.AutoDisablePolicy).toEqual({ FailureCount: 2 });
  });

  test.each([0, 11, 2.5])('autoDisableAfterFailures %p fails synth', failures => {
    expect(errorOf(() => pipelineStack({ autoDisableAfterFailures: failures })))
      .toBe(`Bake/WebImage/Rebake: invalid autoDisableAfterFailures ${failures}: Image Builder disables a pipeline after 1 to 10 failed runs in a row. Give a whole number from 1 to 10`);
  });

  test.each([Duration.minutes(30), Duration.hours(25)])('testTimeout %s fails synth', timeout => {
    expect(errorOf(() => pipelineStack({ testTimeout: timeout })))
      .toMatch(/^Bake\/WebImage\/Rebake: invalid testTimeout '.+': Image Builder takes 60 to 1440 minutes\. Give a Duration between one hour and one day$/);
  });
});

describe('runOnDeploy', () => {
  test('an image resource runs the pipeline with its deployment id on every configuration change, with no recipe or infrastructure of its own', () => {
    const { stack, pipeline, template } = pipelineStack({ runOnDeploy: true }, { buildOnDeploy: false });
    const pipelineId = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').id;
    const run = onlyResource(template, 'AWS::ImageBuilder::Image');
    expect(run.props).toEqual({
      ImagePipelineExecutionSettings: { DeploymentId: { 'Fn::GetAtt': [pipelineId, 'DeploymentId'] }, OnUpdate: true },
      Tags: { 'cdk-immutable-infra:image': pipeline.image.imageName },
    });
    expect(stack.resolve(pipeline.imageId)).toEqual({ 'Fn::GetAtt': [run.id, 'ImageId'] });
    expect(stack.resolve(pipeline.imageArn)).toEqual({ 'Fn::GetAtt': [run.id, 'Arn'] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('bakes twice'))).toHaveLength(0);
  });

  test('a run whose distribution needs the execution role waits for the role and its policy', () => {
    const { template } = pipelineStack({ runOnDeploy: true, distribution: [{ ssmParameters: [{ parameterName: '/golden/web' }] }] }, { buildOnDeploy: false });
    const run = Object.values(template.findResources('AWS::ImageBuilder::Image'))[0] as any;
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!.id;
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => JSON.stringify(p.props.Roles).includes(role))!.id;
    expect(run.DependsOn).toEqual(expect.arrayContaining([role, policy]));
  });

  test('with an image that also bakes at deploy, warns of two bakes per deployment', () => {
    const { stack, template } = pipelineStack({ runOnDeploy: true });
    template.resourceCountIs('AWS::ImageBuilder::Image', 2);
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake',
      Match.stringLikeRegexp('also bakes during deployment, so a change bakes twice. Set buildOnDeploy: false on the image'));
  });
});

describe('grants and events', () => {
  test('grantStartExecution allows starting this pipeline only', () => {
    const { stack, image } = imageStack();
    const pipeline = image.addPipeline('Rebake');
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantStartExecution(role);
    const template = Template.fromStack(stack);
    const pipelineId = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').id;
    expect(onlyResource(template, 'AWS::IAM::Policy').props.PolicyDocument.Statement).toEqual([{
      Action: 'imagebuilder:StartImagePipelineExecution',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [pipelineId, 'Arn'] },
    }]);
  });

  function rulePattern(add: (p: ImagePipeline) => void): { pattern: any; pipelineId: string; recipeName: string; stack: Stack } {
    const { stack, image } = imageStack();
    const pipeline = image.addPipeline('Rebake', { vulnerabilityScanning: true });
    add(pipeline);
    const template = Template.fromStack(stack);
    return {
      pattern: onlyResource(template, 'AWS::Events::Rule').props.EventPattern,
      pipelineId: onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').id,
      recipeName: image._buildParts.recipeName,
      stack,
    };
  }

  test('onImageBuilt and onImageFailed match state changes of this image\'s builds', () => {
    for (const [add, status] of [[(p: ImagePipeline) => p.onImageBuilt('Built'), 'AVAILABLE'], [(p: ImagePipeline) => p.onImageFailed('Failed'), 'FAILED']] as const) {
      const { pattern, recipeName } = rulePattern(add);
      expect(pattern).toEqual({
        'source': ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        'resources': [{
          prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:imagebuilder:eu-west-1:123456789012:image/${recipeName}/`]] },
        }],
        'detail': { state: { status: [status] } },
      });
    }
  });

  test('onVulnerabilitiesFound matches this pipeline\'s scans with findings, by minimum severity', () => {
    const cases: Array<[VulnerabilitySeverity | undefined, unknown]> = [
      [undefined, { all: [{ numeric: ['>', 0] }] }],
      [VulnerabilitySeverity.HIGH, { $or: [{ critical: [{ numeric: ['>', 0] }] }, { high: [{ numeric: ['>', 0] }] }] }],
      [VulnerabilitySeverity.CRITICAL, { critical: [{ numeric: ['>', 0] }] }],
    ];
    for (const [minimumSeverity, counts] of cases) {
      const { pattern, pipelineId } = rulePattern(p => p.onVulnerabilitiesFound('Cves', { minimumSeverity }));
      expect(pattern).toEqual({
        'source': ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder CVE Detected'],
        'resources': [{ 'Fn::GetAtt': [pipelineId, 'Arn'] }],
        'detail': { 'finding-severity-counts': counts },
      });
    }
  });

  test('onVulnerabilitiesFound warns when scanning is off', () => {
    const { stack, pipeline } = pipelineStack();
    pipeline.onVulnerabilitiesFound('Cves');
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('vulnerabilityScanning is off'));
  });

  test('onPipelineDisabled matches Image Builder disabling this pipeline', () => {
    const { pattern, pipelineId } = rulePattern(p => p.onPipelineDisabled('Disabled'));
    expect(pattern).toEqual({
      'source': ['aws.imagebuilder'],
      'detail-type': ['EC2 Image Builder Image Pipeline Automatically Disabled'],
      'resources': [{ 'Fn::GetAtt': [pipelineId, 'Arn'] }],
    });
  });

  test('rules take the usual options: a target, a description, an extra pattern', () => {
    const { stack, image } = imageStack();
    const pipeline = image.addPipeline('Rebake');
    const topic = new sns.Topic(stack, 'Ops');
    pipeline.onImageFailed('Failed', {
      description: 'Page on failed bakes',
      target: { bind: () => ({ id: 'Ops', arn: topic.topicArn }) },
      eventPattern: { account: ['123456789012'] },
    });
    const rule = onlyResource(Template.fromStack(stack), 'AWS::Events::Rule').props;
    expect(rule.Description).toBe('Page on failed bakes');
    expect(rule.Targets).toEqual([{ Id: 'Ops', Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } }]);
    expect(rule.EventPattern.account).toEqual(['123456789012']);
    expect(rule.EventPattern.detail).toEqual({ state: { status: ['FAILED'] } });
  });
});
