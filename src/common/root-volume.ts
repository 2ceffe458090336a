import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { GP3, HARD_DISKS, PROVISIONED_IOPS } from '../private/ec2-values';
import { invalidProp } from '../private/errors';
import { referenceIdentity } from '../private/stable-identity';

/**
 * What the root volume of an image's build instance and the root volume of a deployment's
 * instances have in common.
 */
export interface CommonRootVolumeOptions {
  /**
   * Size in GiB. It cannot be smaller than the root snapshot of the image the instance starts from.
   *
   * @default - the size of that image's root snapshot
   */
  readonly sizeGiB?: number;

  /**
   * The EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS (io1, io2 and gp3).
   *
   * @default - the volume type's baseline
   */
  readonly iops?: number;

  /**
   * Throughput in MiB/s (gp3 only).
   *
   * @default - gp3's baseline of 125 MiB/s
   */
  readonly throughput?: number;

  /**
   * The KMS key that encrypts the volume. Auto Scaling launches a deployment's instances, so its
   * service-linked role (AWSServiceRoleForAutoScaling) needs to be allowed to use the key, also
   * where a fleet launches an AMI baked with it.
   *
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The root device name of the image the instance starts from. Needed only for images whose
   * root device the library cannot know (an AMI id, an SSM parameter or a lookup of an unusual image).
   *
   * @default - the image's: parents the library names carry their own (`/dev/xvda` for Amazon Linux and Debian, `/dev/sda1` for Ubuntu and Windows); any other image `/dev/xvda` on Linux and `/dev/sda1` on Windows unless its `rootDeviceName` says otherwise
   */
  readonly deviceName?: string;
}

/**
 * The root volume of the build instance, and so of the AMI (Packer's
 * `launch_block_device_mappings` / `ami_block_device_mappings` for the root device).
 */
export interface RootVolumeOptions extends CommonRootVolumeOptions {
  /**
   * Encrypt the root volume and so the AMI's snapshot. Turning this off needs a reason: the
   * library's default is to encrypt.
   *
   * @default true
   */
  readonly encrypted?: boolean;
}

/**
 * The root volume of a deployment's instances. It is always encrypted.
 */
export interface DeploymentRootVolumeOptions extends CommonRootVolumeOptions {
}

/** Where a root volume is checked and what it starts from. */
export interface RootVolumeContext {
  /**
   * The volume is an image recipe's (a build instance's), held to Image Builder's limits too.
   * @default false (a launch template's)
   */
  readonly recipe?: boolean;
  /** The root device of the image the instance starts from. */
  readonly defaultDeviceName: string;
  /** The size of that image's root snapshot, where known. */
  readonly snapshotSizeGiB?: number;
  /** What the image is called in messages ("the parent image's", "the AMI's"). */
  readonly imageName: string;
}

/** A checked root volume, and its identity for synth-time content hashes. */
export interface RootVolume {
  readonly deviceName: string;
  readonly encrypted: boolean;
  readonly volumeType: ec2.EbsDeviceVolumeType;
  readonly sizeGiB?: number;
  readonly iops?: number;
  readonly throughput?: number;
  readonly kmsKey?: kms.IKey;
  /** The key's identity: its ARN where fixed at synth time, else its construct path. */
  readonly kmsKeyIdentity?: string;
}

/** The largest EBS volume, in GiB. */
export const MAX_SIZE_GIB = 65_536;

/**
 * Image Builder's limits on a recipe's volumes: "volumeSize ... Minimum value of 1. Maximum value
 * of 16000", iops 100 to 64000, throughput 125 to 1000
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_EbsInstanceBlockDeviceSpecification.html).
 */
export const RECIPE_LIMITS = { sizeGiB: 16_000, iops: { min: 100, max: 64_000 }, throughput: { min: 125, max: 1_000 } } as const;

/**
 * What EC2 takes for each volume type (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html):
 * IOPS are "required for io1 and io2 volumes", at least 3,000 on gp3, and "not supported for
 * gp2, st1, sc1, or standard volumes"; throughput "is valid only for gp3 volumes"; and "st1 and
 * sc1 volumes can't be used as boot volumes".
 */
const IOPS_TYPES = [GP3, ...PROVISIONED_IOPS];
const GP3_MIN_IOPS = 3_000;

/** Checks root volume options (the caller's props under `rootVolume`) and fills in the defaults. */
export function rootVolume(scope: IConstruct, options: RootVolumeOptions, context: RootVolumeContext): RootVolume {
  const size = options.sizeGiB;
  if (size !== undefined && !Token.isUnresolved(size)) {
    const max = context.recipe ? RECIPE_LIMITS.sizeGiB : MAX_SIZE_GIB;
    if (!Number.isInteger(size) || size < 1 || size > max) {
      invalidProp(scope, 'rootVolume.sizeGiB', size, `${context.recipe ? 'Image Builder takes a volume of' : 'an EBS volume is'} a whole number of GiB from 1 to ${max}`,
        `Give a whole number of GiB, or leave it unset to keep ${context.imageName} size`);
    }
    if (context.snapshotSizeGiB !== undefined && size < context.snapshotSizeGiB) {
      invalidProp(scope, 'rootVolume.sizeGiB', size, `${context.imageName} root snapshot is ${context.snapshotSizeGiB} GiB and a volume cannot be smaller than its snapshot`,
        `Give at least ${context.snapshotSizeGiB}, or leave sizeGiB unset to keep ${context.imageName} size`);
    }
  }
  const deviceName = options.deviceName ?? context.defaultDeviceName;
  if (!Token.isUnresolved(deviceName) && !deviceName.startsWith('/dev/')) {
    invalidProp(scope, 'rootVolume.deviceName', deviceName, 'a root device name is a path under /dev/', 'Give the AMI\'s root device name, such as \'/dev/xvda\' or \'/dev/sda1\'');
  }
  const volumeType = options.volumeType;
  if (volumeType !== undefined && HARD_DISKS.includes(volumeType)) {
    invalidProp(scope, 'rootVolume.volumeType', volumeType, 'st1 and sc1 volumes cannot be boot volumes', 'Give gp3 (the default), gp2, io1 or io2');
  }
  return ebsVolume(scope, 'rootVolume', deviceName, options, { id: 'cdk-immutable-infra:unencryptedRoot', message: 'the AMI\'s snapshot will not be encrypted' },
    context.recipe ?? false);
}

/**
 * An EBS volume of the build instance (the root or a data volume) from its options under `prop`:
 * encrypted unless turned off (which warns), gp3 unless another type is given.
 */
export function ebsVolume(scope: IConstruct, prop: string, deviceName: string, options: RootVolumeOptions,
  unencrypted: { readonly id: string; readonly message: string }, recipe: boolean): RootVolume {
  const encrypted = options.encrypted ?? true;
  const volumeType = options.volumeType ?? GP3;
  checkPerformance(scope, prop, volumeType, options.iops, options.throughput, recipe);
  if (!encrypted && options.kmsKey) {
    invalidProp(scope, `${prop}.encrypted`, false, 'a KMS key was given for an unencrypted volume', 'Remove kmsKey, or leave encrypted at true');
  }
  if (!encrypted) {
    Annotations.of(scope).addWarningV2(unencrypted.id, `${prop}.encrypted is false: ${unencrypted.message}`);
  }
  return {
    deviceName,
    encrypted,
    volumeType,
    sizeGiB: options.sizeGiB,
    iops: options.iops,
    throughput: options.throughput,
    kmsKey: options.kmsKey,
    kmsKeyIdentity: options.kmsKey ? referenceIdentity(scope, options.kmsKey.keyArn, options.kmsKey) : undefined,
  };
}

/** IOPS and throughput as the volume type and, for a recipe, Image Builder take them. */
function checkPerformance(scope: IConstruct, prop: string, volumeType: ec2.EbsDeviceVolumeType, iops: number | undefined,
  throughput: number | undefined, recipe: boolean): void {
  if (iops === undefined ? PROVISIONED_IOPS.includes(volumeType) : !IOPS_TYPES.includes(volumeType)) {
    invalidProp(scope, `${prop}.iops`, iops, `EC2 takes IOPS for gp3, io1 and io2 volumes only, and requires them for io1 and io2; this one is ${volumeType}`,
      iops === undefined ? `Give ${prop}.iops` : `Remove ${prop}.iops, or give volumeType gp3, io1 or io2`);
  }
  if (iops !== undefined && !Token.isUnresolved(iops)) {
    const min = volumeType === GP3 ? GP3_MIN_IOPS : recipe ? RECIPE_LIMITS.iops.min : 1;
    const max = recipe ? RECIPE_LIMITS.iops.max : Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(iops) || iops < min || iops > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} IOPS or more` : `${min} to ${max} IOPS`;
      invalidProp(scope, `${prop}.iops`, iops, `a ${volumeType} volume${recipe ? ' of an image recipe' : ''} takes ${range}`, 'Give IOPS in that range');
    }
  }
  if (throughput !== undefined && volumeType !== GP3) {
    invalidProp(scope, `${prop}.throughput`, throughput, `EC2 takes throughput for gp3 volumes only, and this one is ${volumeType}`, `Remove ${prop}.throughput, or give volumeType gp3`);
  }
  if (throughput !== undefined && recipe && !Token.isUnresolved(throughput)
    && (!Number.isInteger(throughput) || throughput < RECIPE_LIMITS.throughput.min || throughput > RECIPE_LIMITS.throughput.max)) {
    invalidProp(scope, `${prop}.throughput`, throughput, `Image Builder takes ${RECIPE_LIMITS.throughput.min} to ${RECIPE_LIMITS.throughput.max} MiB/s`,
      'Give a throughput in that range');
  }
}

/** The EBS settings a recipe and a launch template both give; the key is named differently by each. */
export function ebsSettings(volume: RootVolume) {
  return {
    encrypted: volume.encrypted,
    deleteOnTermination: true,
    volumeType: volume.volumeType,
    ...(volume.sizeGiB !== undefined ? { volumeSize: volume.sizeGiB } : {}),
    ...(volume.iops !== undefined ? { iops: volume.iops } : {}),
    ...(volume.throughput !== undefined ? { throughput: volume.throughput } : {}),
  };
}

/** An image recipe's root volume mapping, and its identity for the recipe's content hash. */
export interface RecipeBlockDevice {
  readonly mapping: imagebuilder.CfnImageRecipe.InstanceBlockDeviceMappingProperty;
  readonly identity: unknown;
}

/** The root volume as an image recipe maps it. */
export function recipeBlockDevice(volume: RootVolume): RecipeBlockDevice {
  const ebs = { ...ebsSettings(volume), ...(volume.kmsKey ? { kmsKeyId: volume.kmsKey.keyArn } : {}) };
  return {
    mapping: { deviceName: volume.deviceName, ebs },
    identity: { deviceName: volume.deviceName, ...ebs, kmsKeyId: volume.kmsKeyIdentity },
  };
}
