import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DeploymentImageConfig, IDeploymentImage, bakedImageConfig } from '../common/deployment-image-interface';
import { IGoldenImage } from '../common/golden-image-interface';
import { findManagedParentImageBySsmParameter } from '../common/managed-parent-images';
import { OsFamily } from '../common/os-family';
import { defaultRootDeviceName, rootDeviceOrGuess } from '../common/root-device';
import { invalidProp } from '../private/errors';
import { stableIdentity } from '../private/stable-identity';

/**
 * Options for an image given by its AMI id, directly or through a synth-time lookup.
 */
export interface AmiDeploymentImageOptions {
  /**
   * The operating system family of the AMI.
   *
   * @default - a public SSM parameter of a parent the library names carries its own; otherwise OsFamily.LINUX
   */
  readonly osFamily?: OsFamily;

  /**
   * The AMI's root device name, where the launch template puts the encrypted root volume.
   *
   * @default - a public SSM parameter of a parent the library names carries its own; otherwise '/dev/xvda' for Linux (Amazon Linux and Debian AMIs use it; the deployment warns that it is a guess) and '/dev/sda1' for Windows; give '/dev/sda1' for Ubuntu AMIs
   */
  readonly rootDeviceName?: string;
}

/**
 * Options for an image given as any `ec2.IMachineImage`.
 */
export interface MachineImageDeploymentImageOptions {
  /**
   * A synth-time identity for an image whose AMI id is only known at deploy time (for example
   * `ec2.MachineImage.latestAmazonLinux2023()`, which CloudFormation resolves from an SSM
   * parameter). Change it whenever the AMI changes, so that a new generation rolls out.
   *
   * @default - none; a deploy-time AMI id then needs the deployment's own `generationKey`
   */
  readonly generationKey?: string;

  /**
   * The AMI's root device name, where the launch template puts the encrypted root volume.
   *
   * @default '/dev/xvda' for Linux (Amazon Linux and Debian AMIs use it), '/dev/sda1' for Windows; give '/dev/sda1' for Ubuntu AMIs
   */
  readonly rootDeviceName?: string;
}

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
// What StringParameter.valueFromLookup returns until the CDK CLI has filled the context.
const LOOKUP_PLACEHOLDER = 'dummy-value-for-';

/**
 * The image an ImmutableDeployment runs. Every generation is keyed by the image's synth-time
 * identity, so a new AMI rolls out as a new generation: a golden image's content hash, or a
 * concrete AMI id. A GoldenImage of this app can also be given to the deployment directly.
 */
export class DeploymentImage implements IDeploymentImage {
  /**
   * A golden image baked in this app; generations are keyed by its content hash, so a change
   * to a provisioner rolls out a new fleet. The image may live in another stack, region or
   * account (one it is distributed to): the deployment then reads that bake's AMI id from an
   * SSM parameter the image's distribution writes there, never from a stack export.
   */
  public static fromGoldenImage(image: IGoldenImage): DeploymentImage {
    return new DeploymentImage(scope => bakedImageConfig(scope, image, `DeploymentImage.fromGoldenImage(${image.node.path})`));
  }

  /**
   * An AMI by id, for example 'ami-0123456789abcdef0'.
   */
  public static fromAmiId(amiId: string, options: AmiDeploymentImageOptions = {}): DeploymentImage {
    return new DeploymentImage(scope => bindAmiId(scope, amiId, options));
  }

  /**
   * The AMI id held by an SSM parameter, read once at synth time by the CDK CLI and cached in
   * cdk.context.json (so a new AMI rolls out only when you refresh the context, for example with
   * `cdk context --reset`). The stack needs an explicit account and region.
   */
  public static fromSsmParameterLookup(parameterName: string, options: AmiDeploymentImageOptions = {}): DeploymentImage {
    return new DeploymentImage(scope => bindSsmLookup(scope, parameterName, options));
  }

  /**
   * Any machine image. One whose AMI id is resolved by CloudFormation at deploy time needs a
   * `generationKey` (here or on the deployment); one resolved at synth time (a context lookup,
   * `cachedInContext: true`, a region map in an environment-specific stack) needs none.
   */
  public static fromMachineImage(machineImage: ec2.IMachineImage, options: MachineImageDeploymentImageOptions = {}): DeploymentImage {
    return new DeploymentImage(scope => bindMachineImage(scope, machineImage, options));
  }

  private constructor(private readonly binder: (scope: Construct) => DeploymentImageConfig) {}

  /** What a deployment in `scope` launches from this image. */
  public bindForDeployment(scope: Construct): DeploymentImageConfig {
    return this.binder(scope);
  }

  /**
   * Resolves the image for a deployment (the name tests used before bindForDeployment).
   *
   * @internal
   */
  public _bind(scope: Construct): DeploymentImageConfig {
    return this.bindForDeployment(scope);
  }
}

/**
 * The image a deployment was given, resolved; anything that is not an IDeploymentImage (a
 * plain `ec2.IMachineImage`, a JavaScript caller's typo) fails synth naming the fix.
 */
export function bindDeploymentImage(scope: Construct, image: unknown): DeploymentImageConfig {
  if (typeof (image as Partial<IDeploymentImage> | undefined)?.bindForDeployment !== 'function') {
    const machineImage = typeof (image as Partial<ec2.IMachineImage> | undefined)?.getImage === 'function';
    invalidProp(scope, 'image', describeImage(image), 'it is not an image a deployment can launch (an IDeploymentImage)',
      machineImage
        ? 'Wrap an ec2.IMachineImage with DeploymentImage.fromMachineImage(image), giving a generationKey if its AMI id is only known at deploy time'
        : 'Give a GoldenImage, or DeploymentImage.fromAmiId(), fromSsmParameterLookup(), fromMachineImage() or fromGoldenImage()');
  }
  return (image as IDeploymentImage).bindForDeployment(scope);
}

function describeImage(image: unknown): string {
  if (image === undefined || image === null) {
    return String(image);
  }
  if (Construct.isConstruct(image)) {
    return `construct ${image.node.path}`;
  }
  return typeof image === 'object' ? `${image.constructor?.name ?? 'Object'} object` : `${typeof image} ${String(image)}`;
}

function bindAmiId(scope: Construct, amiId: string, options: AmiDeploymentImageOptions): DeploymentImageConfig {
  if (!Token.isUnresolved(amiId) && !AMI_ID.test(amiId)) {
    invalidProp(scope, 'image', amiId, 'an AMI id is \'ami-\' followed by 8 or 17 lowercase hexadecimal digits',
      'Give DeploymentImage.fromAmiId() an AMI id such as \'ami-0123456789abcdef0\'');
  }
  const osFamily = options.osFamily ?? OsFamily.LINUX;
  const identity = stableIdentity(scope, amiId);
  return {
    imageId: amiId,
    osFamily,
    identity: identity === undefined ? undefined : `ami:${identity}`,
    ...rootDeviceOrGuess(options.rootDeviceName, osFamily),
    description: 'DeploymentImage.fromAmiId()',
  };
}

function bindSsmLookup(scope: Construct, parameterName: string, options: AmiDeploymentImageOptions): DeploymentImageConfig {
  if (Token.isUnresolved(parameterName)) {
    invalidProp(scope, 'image', parameterName, 'a synth-time lookup needs the parameter\'s name at synth time',
      'Give DeploymentImage.fromSsmParameterLookup() a literal parameter name');
  }
  const amiId = ssm.StringParameter.valueFromLookup(scope, parameterName);
  if (!amiId.startsWith(LOOKUP_PLACEHOLDER) && !AMI_ID.test(amiId)) {
    invalidProp(scope, 'image', amiId, `SSM parameter ${parameterName} does not hold an AMI id`,
      'Point DeploymentImage.fromSsmParameterLookup() at a parameter that holds an AMI id, or refresh the cached value with `cdk context --reset`');
  }
  // A public parameter of a parent the library names tells the OS and the root device.
  const known = findManagedParentImageBySsmParameter(parameterName);
  const osFamily = options.osFamily ?? (known?.osFamily === 'WINDOWS' ? OsFamily.WINDOWS : OsFamily.LINUX);
  return {
    imageId: amiId,
    osFamily,
    identity: `ami:${amiId}`,
    ...rootDeviceOrGuess(options.rootDeviceName ?? known?.rootDeviceName, osFamily),
    description: `DeploymentImage.fromSsmParameterLookup('${parameterName}')`,
  };
}

function bindMachineImage(scope: Construct, machineImage: ec2.IMachineImage, options: MachineImageDeploymentImageOptions): DeploymentImageConfig {
  const key = options.generationKey;
  if (key !== undefined && (Token.isUnresolved(key) || key.length === 0)) {
    invalidProp(scope, 'image', key, 'the image\'s generationKey is hashed at synth time and must be a non-empty literal',
      'Give a literal string that you change whenever the AMI changes (a version, a date)');
  }
  const config = machineImage.getImage(scope);
  const osFamily = config.osType === ec2.OperatingSystemType.WINDOWS ? OsFamily.WINDOWS : OsFamily.LINUX;
  const imageIdentity = stableIdentity(scope, config.imageId);
  // With a synth-time AMI id the key is mixed in, so changing it still forces a new generation.
  let identity: string | undefined;
  if (imageIdentity !== undefined) {
    identity = key === undefined ? `ami:${imageIdentity}` : `ami:${imageIdentity}|key:${key}`;
  } else if (key !== undefined) {
    identity = `key:${key}`;
  }
  return {
    imageId: config.imageId,
    osFamily,
    identity,
    rootDeviceName: options.rootDeviceName ?? defaultRootDeviceName(osFamily),
    description: 'DeploymentImage.fromMachineImage()',
  };
}
