import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AMI, ENV, baseProps, newStack, only } from './deployment-fixtures';
import { OsFamily } from '../../src/common/os-family';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';

function launchTemplateData(stack: Stack): any {
  return only(Template.fromStack(stack), 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
}

describe('DeploymentImage.fromSsmParameterLookup', () => {
  const contextKey = `ssm:account=${ENV.account}:parameterName=/golden/web/ami:region=${ENV.region}`;

  test('uses the value the CDK CLI cached in the context', () => {
    const { stack, vpc } = newStack({ env: ENV }, 'Stack', { [contextKey]: AMI });
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromSsmParameterLookup('/golden/web/ami') }));
    expect(launchTemplateData(stack).ImageId).toBe(AMI);
    expect(deployment.generationKey).toMatch(/^[0-9a-f]{8}$/);
  });

  test('a new cached value rolls out a new generation', () => {
    const keyFor = (ami: string) => {
      const { stack, vpc } = newStack({ env: ENV }, 'Stack', { [contextKey]: ami });
      return new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromSsmParameterLookup('/golden/web/ami') })).generationKey;
    };
    expect(keyFor(AMI)).toBe(keyFor(AMI));
    expect(keyFor('ami-0aaaaaaaaaaaaaaaa')).not.toBe(keyFor(AMI));
  });

  test('before the CLI has looked the value up, construction carries on with the placeholder', () => {
    const { stack, vpc } = newStack({ env: ENV });
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromSsmParameterLookup('/golden/web/ami') }));
    expect(deployment.launchTemplate.imageId).toBe('dummy-value-for-/golden/web/ami');
  });

  test('a cached value that is not an AMI id', () => {
    const { stack, vpc } = newStack({ env: ENV }, 'Stack', { [contextKey]: 'latest' });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromSsmParameterLookup('/golden/web/ami') })))
      .toThrow(/^Stack\/Web: invalid image 'latest': SSM parameter \/golden\/web\/ami does not hold an AMI id\. .*cdk context --reset/);
  });
});

describe('DeploymentImage options', () => {
  test('fromAmiId: Windows family and an explicit root device', () => {
    const { stack, vpc } = newStack();
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromAmiId(AMI, { osFamily: OsFamily.LINUX, rootDeviceName: '/dev/sda1' }) }));
    expect(launchTemplateData(stack).BlockDeviceMappings[0].DeviceName).toBe('/dev/sda1');
  });

  test('fromMachineImage: a synth-time AMI needs no key; the image\'s own key is mixed in', () => {
    const keyOf = (options: { generationKey?: string }) => {
      const { stack, vpc } = newStack({ env: ENV });
      return new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
        image: DeploymentImage.fromMachineImage(ec2.MachineImage.genericLinux({ [ENV.region]: AMI }), options),
      })).generationKey;
    };
    expect(keyOf({})).toBe(keyOf({}));
    expect(keyOf({ generationKey: 'rebuild-1' })).not.toBe(keyOf({}));
  });

  test('fromMachineImage: Windows images get Windows defaults', () => {
    const { stack, vpc } = newStack({ env: ENV });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      image: DeploymentImage.fromMachineImage(ec2.MachineImage.genericWindows({ [ENV.region]: AMI })),
    }));
    const lt = launchTemplateData(stack);
    expect(lt.UserData).toEqual({ 'Fn::Base64': '<powershell></powershell>' });
    expect(lt.BlockDeviceMappings[0].DeviceName).toBe('/dev/sda1');
  });

  test('fromMachineImage: an empty generation key is refused', () => {
    const { stack, vpc } = newStack();
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      image: DeploymentImage.fromMachineImage(ec2.MachineImage.latestAmazonLinux2023(), { generationKey: '' }),
    }))).toThrow(/^Stack\/Web: invalid image '': the image's generationKey is hashed at synth time and must be a non-empty literal/);
  });
});

describe('an image that is not an IDeploymentImage', () => {
  function deployWith(image: unknown): void {
    const { stack, vpc } = newStack();
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: image as DeploymentImage }));
  }

  test('an ec2.IMachineImage is refused with the wrapper to use', () => {
    const machineImage = ec2.MachineImage.latestAmazonLinux2023();
    expect(() => deployWith(machineImage)).toThrow(
      `Stack/Web: invalid image '${machineImage.constructor.name} object': it is not an image a deployment can launch (an IDeploymentImage). `
      + 'Wrap an ec2.IMachineImage with DeploymentImage.fromMachineImage(image), giving a generationKey if its AMI id is only known at deploy time');
  });

  test('a construct that is no image is named by its path, with the images a deployment takes', () => {
    const { stack, vpc } = newStack();
    const notAnImage = new ec2.SecurityGroup(stack, 'NotAnImage', { vpc });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: notAnImage as unknown as DeploymentImage }))).toThrow(
      'Stack/Web: invalid image \'construct Stack/NotAnImage\': it is not an image a deployment can launch (an IDeploymentImage). '
      + 'Give a GoldenImage, or DeploymentImage.fromAmiId(), fromSsmParameterLookup(), fromMachineImage() or fromGoldenImage()');
  });

  test('a missing image says so (JavaScript callers)', () => {
    expect(() => deployWith(undefined)).toThrow(/^Stack\/Web: invalid image 'undefined': it is not an image a deployment can launch/);
  });
});
