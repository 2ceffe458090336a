import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { evaluate } from './cfn-intrinsics';
import { ContainerParent, GoldenContainerImage, Provisioner } from '../../src';
import { ENV, containerStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

/** What a deployment gives the references of a stack: the image's URI, the repository's name. */
function deployed(template: Template, imageUri: string, repositoryName: string) {
  const refs: Record<string, string> = { 'AWS::Partition': 'aws' };
  const attributes: Record<string, string> = {};
  for (const { id } of resourcesOf(template, 'AWS::ECR::Repository')) {
    refs[id] = repositoryName;
  }
  for (const { id } of resourcesOf(template, 'AWS::ImageBuilder::Image')) {
    attributes[`${id}.ImageUri`] = imageUri;
  }
  return { refs, attributes };
}

/** The lookup's Create and Update calls, as its handler parses them once CloudFormation resolved them. */
function lookupCalls(template: Template, imageUri: string, repositoryName = 'bake-appimage') {
  const lookup = onlyResource(template, 'Custom::AWS').props;
  const values = deployed(template, imageUri, repositoryName);
  return { create: JSON.parse(evaluate(lookup.Create, values) as string), update: JSON.parse(evaluate(lookup.Update, values) as string) };
}

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bake-appimage:1.0.4-2';

describe('imageDigest', () => {
  test('a stack that never reads the digest has no lookup', () => {
    const { stack, image } = containerStack();
    new CfnOutput(stack, 'Uri', { value: image.imageUri });
    new ecs.FargateTaskDefinition(stack, 'Task').addContainer('app', { image: image.containerImage });
    const template = Template.fromStack(stack);
    expect(resourcesOf(template, 'Custom::AWS')).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('ecr:DescribeImages');
  });

  test('reading it adds one lookup, however often it is read: DescribeImages of the tag and registry in this image\'s ImageUri', () => {
    const { stack, image } = containerStack();
    const first = image.imageDigest;
    expect(image.imageDigest).toBe(first);
    new CfnOutput(stack, 'Digest', { value: first });
    new CfnOutput(stack, 'Again', { value: image.imageDigest });
    const template = Template.fromStack(stack);
    const lookup = onlyResource(template, 'Custom::AWS');
    expect(lookup.id).toMatch(/^AppImageImageDigest/);
    const outputs = template.toJSON().Outputs;
    expect(outputs.Digest.Value).toEqual({ 'Fn::GetAtt': [lookup.id, 'imageDetails.0.imageDigest'] });
    expect(outputs.Again.Value).toEqual(outputs.Digest.Value);

    const imageId = onlyResource(template, 'AWS::ImageBuilder::Image').id;
    expect(JSON.stringify(lookup.props.Create)).toContain(JSON.stringify({ 'Fn::GetAtt': [imageId, 'ImageUri'] }));
    const { create, update } = lookupCalls(template, URI);
    expect(create).toEqual({
      service: 'ECR',
      action: 'describeImages',
      parameters: { repositoryName: 'bake-appimage', registryId: '123456789012', imageIds: [{ imageTag: '1.0.4-2' }] },
      physicalResourceId: { responsePath: 'imageDetails.0.imageDigest' },
      outputPaths: ['imageDetails.0.imageDigest'],
    });
    // A new bake is a new URI: an update looks the new tag up.
    expect(update).toEqual(create);
    expect(lookupCalls(template, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bake-appimage:1.0.4-3').update.parameters.imageIds)
      .toEqual([{ imageTag: '1.0.4-3' }]);
    expect(lookup.props.InstallLatestAwsSdk).toBe(false);
  });

  test('the registry comes from the URI\'s host, and a namespaced repository keeps its path', () => {
    const stack = new Stack(new App(), 'Bake', { env: ENV });
    const image = new GoldenContainerImage(stack, 'AppImage', {
      parentImage: ContainerParent.fromDockerHub('debian:bookworm'),
      provisioners: [Provisioner.shell({ name: 'install-curl', commands: ['apt-get update', 'apt-get install -y curl'] })],
      repository: ecr.Repository.fromRepositoryName(stack, 'Shared', 'team/base'),
    });
    new CfnOutput(stack, 'Digest', { value: image.imageDigest });
    const template = Template.fromStack(stack);
    const { create } = lookupCalls(template, '444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/base:2.1.0-7');
    expect(create.parameters).toEqual({ repositoryName: 'team/base', registryId: '444455556666', imageIds: [{ imageTag: '2.1.0-7' }] });
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('AppImageImageDigest'))!;
    expect(policy.props.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'ecr:DescribeImages',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/team/base']] },
    }]);
  });

  test('the lookup may call DescribeImages on the image\'s repository and nothing else', () => {
    const { stack, image } = containerStack();
    new CfnOutput(stack, 'Digest', { value: image.imageDigest });
    const template = Template.fromStack(stack);
    const repository = onlyResource(template, 'AWS::ECR::Repository').id;
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('AppImageImageDigest'))!;
    expect(policy.props.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'ecr:DescribeImages',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/', { Ref: repository }]] },
    }]);
    expect(evaluate(policy.props.PolicyDocument.Statement[0].Resource, deployed(template, URI, 'bake-appimage')))
      .toBe('arn:aws:ecr:eu-west-1:123456789012:repository/bake-appimage');
    // The policy is the provider's role's, and in place before the call runs.
    const providerRole = onlyResource(template, 'AWS::Lambda::Function').props.Role['Fn::GetAtt'][0];
    expect(policy.props.Roles).toEqual([{ Ref: providerRole }]);
    expect(template.toJSON().Resources[onlyResource(template, 'Custom::AWS').id].DependsOn).toContain(policy.id);
  });

  test('a task pinned by digest as the README shows runs <repositoryUri>@<digest>, with pulls granted', () => {
    const { stack, image } = containerStack();
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry(image.repository.repositoryUriForDigest(image.imageDigest)) });
    image.grantPull(task.obtainExecutionRole());
    const template = Template.fromStack(stack);
    const lookup = onlyResource(template, 'Custom::AWS').id;
    const values = deployed(template, URI, 'bake-appimage');
    const repositoryArn = 'arn:aws:ecr:eu-west-1:123456789012:repository/bake-appimage';
    Object.assign(values.attributes, { [`${onlyResource(template, 'AWS::ECR::Repository').id}.Arn`]: repositoryArn, [`${lookup}.imageDetails.0.imageDigest`]: 'sha256:abc' });
    values.refs['AWS::URLSuffix'] = 'amazonaws.com';
    const container = onlyResource(template, 'AWS::ECS::TaskDefinition').props.ContainerDefinitions[0];
    expect(evaluate(container.Image, values)).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/bake-appimage@sha256:abc');
    const pulls = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('TaskExecutionRoleDefaultPolicy'))!;
    expect(JSON.stringify(pulls.props.PolicyDocument)).toContain('ecr:BatchGetImage');
  });

  test('buildOnDeploy: false has no digest to read, and says why and what to do', () => {
    const { stack, image } = containerStack({ buildOnDeploy: false });
    expect(() => image.imageDigest).toThrow(
      /^Bake\/AppImage: imageDigest is not available because buildOnDeploy is false: no image is built during deployment\. Set buildOnDeploy to true/);
    expect(resourcesOf(Template.fromStack(stack), 'Custom::AWS')).toEqual([]);
  });

  test('read in another stack, it fails synth naming the fix (it changes with every bake)', () => {
    const { app, image } = containerStack();
    const other = new Stack(app, 'Service', { env: ENV });
    new CfnOutput(other, 'Digest', { value: image.imageDigest });
    expect(() => app.synth()).toThrow(/Bake\/AppImage: invalid imageDigest 'used in Service': it changes with every bake/);
  });

  describe('of a pipeline\'s deploy-time run', () => {
    test('looks up the run\'s ImageUri in the image\'s repository, once, under the pipeline', () => {
      const { stack, image } = containerStack({ buildOnDeploy: false });
      const pipeline = image.addPipeline('Rebake', { runOnDeploy: true });
      new CfnOutput(stack, 'Digest', { value: pipeline.imageDigest });
      new CfnOutput(stack, 'Again', { value: pipeline.imageDigest });
      const template = Template.fromStack(stack);
      const lookup = onlyResource(template, 'Custom::AWS');
      expect(lookup.id).toMatch(/^AppImageRebakeImageDigest/);
      const run = onlyResource(template, 'AWS::ImageBuilder::Image').id;
      expect(run).toMatch(/^AppImageRebakeDeployRun/);
      expect(JSON.stringify(lookup.props.Create)).toContain(JSON.stringify({ 'Fn::GetAtt': [run, 'ImageUri'] }));
      expect(lookupCalls(template, URI).create.parameters).toEqual({ repositoryName: 'bake-appimage', registryId: '123456789012', imageIds: [{ imageTag: '1.0.4-2' }] });
      expect(template.toJSON().Outputs.Digest.Value).toEqual({ 'Fn::GetAtt': [lookup.id, 'imageDetails.0.imageDigest'] });
    });

    test('is refused without runOnDeploy, and for a pipeline of an AMI', () => {
      const { image } = containerStack({ buildOnDeploy: false });
      const pipeline = image.addPipeline('Rebake');
      expect(() => pipeline.imageDigest).toThrow(/^Bake\/AppImage\/Rebake: imageDigest is only available with runOnDeploy: true/);
      const ami = pipelineStack({ runOnDeploy: true }, { buildOnDeploy: false }).pipeline;
      expect(() => ami.imageDigest).toThrow(/^Bake\/WebImage\/Rebake: imageDigest is an attribute of a container image, and this pipeline builds an AMI\. Use imageId/);
      expect(() => ami.imageUri).toThrow(/^Bake\/WebImage\/Rebake: imageUri is an attribute of a container image, and this pipeline builds an AMI\. Use imageId/);
    });
  });
});
