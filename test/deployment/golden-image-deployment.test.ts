import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { baseProps, newStack, only, releaseProperties } from './deployment-fixtures';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { GoldenImage } from '../../src/image/golden-image';
import { ParentImage } from '../../src/image/parent-image';
import { Provisioner } from '../../src/provisioning/provisioner';
import { ImageWorkflow } from '../../src/workflow/image-workflow';

/** A golden nginx image on Amazon Linux 2023 deployed in the same stack. */
function goldenWeb(commands: string[], instanceType = 't3.small', direct = false, workflows: ImageWorkflow[] = []) {
  const { stack, vpc } = newStack();
  const image = new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands })],
    vpc,
    workflows,
  });
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
    image: direct ? image : DeploymentImage.fromGoldenImage(image),
    instanceType: new ec2.InstanceType(instanceType),
  }));
  return { stack, image, deployment };
}

test('a GoldenImage given directly deploys exactly as DeploymentImage.fromGoldenImage(image) does', () => {
  const commands = ['dnf install -y nginx', 'systemctl enable nginx'];
  const viaFactory = goldenWeb(commands);
  const direct = goldenWeb(commands, 't3.small', true);
  expect(direct.deployment.generationKey).toBe(viaFactory.deployment.generationKey);
  expect(Template.fromStack(direct.stack).toJSON()).toEqual(Template.fromStack(viaFactory.stack).toJSON());
});

test('a GoldenImage given directly keeps the architecture check', () => {
  expect(() => goldenWeb(['dnf install -y nginx'], 't4g.small', true)).toThrow(
    /^Stack\/Web: invalid instanceType 't4g\.small': it is an arm64 instance type and the image is x86_64/);
});

test('launches the AMI the golden image bakes at deploy time', () => {
  const { stack, deployment } = goldenWeb(['dnf install -y nginx', 'systemctl enable nginx']);
  const template = Template.fromStack(stack);
  const bake = only(template, 'AWS::ImageBuilder::Image').id;
  const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
  expect(lt.ImageId).toEqual({ 'Fn::GetAtt': [bake, 'ImageId'] });
  expect(releaseProperties(template).Generation.Key).toBe(deployment.generationKey);
});

test('a change to a provisioner bakes a new image and rolls out a new generation; an unchanged one keeps it', () => {
  const v1 = goldenWeb(['dnf install -y nginx', 'systemctl enable nginx']);
  const v1again = goldenWeb(['dnf install -y nginx', 'systemctl enable nginx']);
  const v2 = goldenWeb(['dnf install -y nginx', 'systemctl enable --now nginx']);
  expect(v1.image.imageKey).toBe(v1again.image.imageKey);
  expect(v1.deployment.generationKey).toBe(v1again.deployment.generationKey);
  expect(v2.image.imageKey).not.toBe(v1.image.imageKey);
  expect(v2.deployment.generationKey).not.toBe(v1.deployment.generationKey);
});

test('a change to the deploy-time build\'s workflows bakes a new image (AWS::ImageBuilder::Image is replaced) and so rolls out a new generation', () => {
  const commands = ['dnf install -y nginx', 'systemctl enable nginx'];
  const smoke = (check: string) => ImageWorkflow.testStage({ name: 'smoke', commands: [check] });
  const none = goldenWeb(commands);
  const withSmoke = goldenWeb(commands, 't3.small', false, [smoke('systemctl is-active nginx')]);
  const sameSmoke = goldenWeb(commands, 't3.small', false, [smoke('systemctl is-active nginx')]);
  const otherSmoke = goldenWeb(commands, 't3.small', false, [smoke('curl -fsS localhost')]);
  const keys = [none, withSmoke, otherSmoke].map(v => v.image.imageKey);
  expect(new Set(keys).size).toBe(3);
  expect(new Set([none, withSmoke, otherSmoke].map(v => v.deployment.generationKey)).size).toBe(3);
  expect(sameSmoke.image.imageKey).toBe(withSmoke.image.imageKey);
  expect(sameSmoke.deployment.generationKey).toBe(withSmoke.deployment.generationKey);
  // The image resource's Workflows differ only through the workflow's version: its ARN is the same Fn::GetAtt.
  const workflowsOf = (v: ReturnType<typeof goldenWeb>) => only(Template.fromStack(v.stack), 'AWS::ImageBuilder::Image').resource.Properties.Workflows;
  expect(workflowsOf(otherSmoke)).toEqual(workflowsOf(withSmoke));
});

test('an instance type of another architecture than the image is refused', () => {
  expect(() => goldenWeb(['dnf install -y nginx'], 't4g.small')).toThrow(
    /^Stack\/Web: invalid instanceType 't4g\.small': it is an arm64 instance type and the image is x86_64\. Choose an x86_64 instance type, or an image for arm64/);
});
