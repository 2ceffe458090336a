import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { stableIdentity } from './stable-identity';
import { invalidProp } from '../private/errors';

/**
 * The root volume of a deployment's instances. It is always encrypted.
 */
export interface DeploymentRootVolumeOptions {
  /**
   * Size in GiB; not smaller than the AMI's root snapshot.
   *
   * @default - the size of the AMI's root snapshot
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
   * The KMS key that encrypts the volume. Auto Scaling launches the instances, so its
   * service-linked role (AWSServiceRoleForAutoScaling) needs to be allowed to use the key.
   *
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The AMI's root device name.
   *
   * @default - from the image (see DeploymentImage), '/dev/xvda' for Linux and '/dev/sda1' for Windows
   */
  readonly deviceName?: string;
}

/** A launch template's root volume and what it contributes to the generation key. */
export type RootBlockDevice = {
  readonly blockDevice: ec2.BlockDevice;
  readonly identity: unknown;
};

/**
 * An EBS volume without a size or snapshot: the launch template then keeps the AMI's snapshot
 * and size and only changes what is given (encryption, type).
 */
class RootEbsVolume extends ec2.BlockDeviceVolume {
  constructor(props: ec2.EbsDeviceProps) {
    super(props);
  }
}

const MAX_SIZE_GIB = 65_536;

/** The always-encrypted root volume mapping for a deployment's launch templates. */
export function rootBlockDevice(scope: IConstruct, options: DeploymentRootVolumeOptions, defaultDeviceName: string): RootBlockDevice {
  const size = options.sizeGiB;
  if (size !== undefined && !Token.isUnresolved(size) && (!Number.isInteger(size) || size < 1 || size > MAX_SIZE_GIB)) {
    invalidProp(scope, 'rootVolume.sizeGiB', size, `an EBS volume is a whole number of GiB from 1 to ${MAX_SIZE_GIB}`, 'Give a whole number of GiB, or leave it unset to keep the AMI\'s size');
  }
  const deviceName = options.deviceName ?? defaultDeviceName;
  if (!Token.isUnresolved(deviceName) && !deviceName.startsWith('/dev/')) {
    invalidProp(scope, 'rootVolume.deviceName', deviceName, 'a root device name is a path under /dev/', 'Give the AMI\'s root device name, such as \'/dev/xvda\' or \'/dev/sda1\'');
  }
  const volumeType = options.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
  const ebs: ec2.EbsDeviceProps = {
    encrypted: true,
    deleteOnTermination: true,
    volumeType,
    ...(size !== undefined ? { volumeSize: size } : {}),
    ...(options.iops !== undefined ? { iops: options.iops } : {}),
    ...(options.throughput !== undefined ? { throughput: options.throughput } : {}),
    ...(options.kmsKey ? { kmsKey: options.kmsKey } : {}),
  };
  const kmsIdentity = options.kmsKey ? stableIdentity(scope, options.kmsKey.keyArn) ?? `construct:${options.kmsKey.node.path}` : undefined;
  return {
    blockDevice: { deviceName, volume: new RootEbsVolume(ebs) },
    identity: { deviceName, volumeType, size, iops: options.iops, throughput: options.throughput, kmsKey: kmsIdentity },
  };
}
