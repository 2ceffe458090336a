import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoldenImage, ParentImage, Provisioner } from '../../src';
import { ImagePipeline, VulnerabilitySeverity } from '../../src/pipeline/image-pipeline';
import { ENV, errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

process.env.CDK_VALIDATION = 'false';

function pipelineProps(template: Template): any {
  return onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props;
}

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

describe('logging', () => {
  test('creates build and run log groups under /aws/imagebuilder/ with a retention, and needs no execution role', () => {
    const { template, pipeline } = pipelineStack({ logging: { retention: logs.RetentionDays.ONE_MONTH } });
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups.map(g => g.props).sort((a, b) => a.LogGroupName.localeCompare(b.LogGroupName))).toEqual([
      { LogGroupName: expect.stringMatching(/^\/aws\/imagebuilder\/bake-webimage-rebake-[0-9a-f]{8}\/builds$/), RetentionInDays: 30 },
      { LogGroupName: expect.stringMatching(/^\/aws\/imagebuilder\/bake-webimage-rebake-[0-9a-f]{8}\/runs$/), RetentionInDays: 30 },
    ]);
    const byName = Object.fromEntries(groups.map(g => [g.props.LogGroupName.split('/').pop(), g.id]));
    expect(pipelineProps(template).LoggingConfiguration).toEqual({
      ImageLogGroupName: { Ref: byName.builds },
      PipelineLogGroupName: { Ref: byName.runs },
    });
    expect(pipelineProps(template)).not.toHaveProperty('ExecutionRole');
    expect(groups[0].props.LogGroupName).toContain(pipeline.node.id.toLowerCase());
  });

  test('the default retention is three months', () => {
    const { template } = pipelineStack({ logging: {} });
    expect(resourcesOf(template, 'AWS::Logs::LogGroup').map(g => g.props.RetentionInDays)).toEqual([90, 90]);
  });

  test('a given group outside /aws/imagebuilder/ gets an execution role that may write to it', () => {
    const { stack, image } = imageStack();
    const group = new logs.LogGroup(stack, 'Audit', { logGroupName: '/audit/image-builds' });
    image.addPipeline('Rebake', { logging: { imageLogGroup: group } });
    const template = Template.fromStack(stack);
    const auditId = stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup);
    expect(pipelineProps(template).LoggingConfiguration.ImageLogGroupName).toEqual({ Ref: auditId });
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')).toHaveLength(2);
    const executionRole = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!;
    expect(pipelineProps(template).ExecutionRole).toEqual({ 'Fn::GetAtt': [executionRole.id, 'Arn'] });
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    for (const roleId of [executionRole.id, resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageInstanceRole'))!.id]) {
      const policy = policies.find(p => JSON.stringify(p.props.Roles).includes(roleId))!;
      expect(policy.props.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [auditId, 'Arn'] },
      }));
    }
  });
});

describe('notifications', () => {
  test('a created topic is encrypted with a rotating key Image Builder\'s service-linked role may use, enforces TLS, and has the e-mail subscribers', () => {
    const { template, pipeline } = pipelineStack({ notifications: { emails: ['ops@example.com', 'oncall@example.com'] } });
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(topic.props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.props.EnableKeyRotation).toBe(true);
    expect(key.props.KeyPolicy.Statement).toContainEqual({
      Sid: 'ImageBuilderPublishesNotifications',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder']],
          },
        },
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(resourcesOf(template, 'AWS::SNS::Subscription').map(s => [s.props.Protocol, s.props.Endpoint]).sort())
      .toEqual([['email', 'oncall@example.com'], ['email', 'ops@example.com']]);
    expect(onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props.SnsTopicArn).toEqual({ Ref: topic.id });
    expect(pipeline.notificationTopic).toBeDefined();
  });

  test('a given topic is used as is', () => {
    const { stack, image } = imageStack();
    const topic = new sns.Topic(stack, 'Ops');
    const pipeline = image.addPipeline('Rebake', { notifications: { topic } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props.SnsTopicArn)
      .toEqual({ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) });
    expect(pipeline.notificationTopic).toBe(topic);
  });

  test('the image\'s own topic is reused, and a different one is refused', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const own = new sns.Topic(stack, 'Own');
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.updateOs()],
      notificationTopic: own,
    });
    const pipeline = image.addPipeline('Rebake', { notifications: { emails: ['ops@example.com'] } });
    expect(pipeline.notificationTopic).toBe(own);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
    expect(errorOf(() => image.addPipeline('Other', { notifications: { topic: new sns.Topic(stack, 'Other') } })))
      .toBe('Bake/WebImage/Other: invalid notifications.topic \'Bake/Other\': the image already notifies Bake/Own, and Image Builder takes one topic per '
        + 'infrastructure configuration. Give the same topic, or leave notifications.topic out to use the image\'s');
  });

  test('an address that is not one fails synth', () => {
    expect(errorOf(() => pipelineStack({ notifications: { emails: ['ops.example.com'] } })))
      .toBe('Bake/WebImage/Rebake: invalid notifications.emails[0] \'ops.example.com\': it is not an e-mail address. Give an address such as ops@example.com');
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
