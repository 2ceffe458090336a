import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * The root volume of the build instance, and so of the AMI (Packer's
 * `launch_block_device_mappings` / `ami_block_device_mappings` for the root device).
 */
export interface RootVolumeOptions {
  /**
   * Size in GiB. It cannot be smaller than the parent image's root snapshot.
   *
   * @default - the size of the parent image's root snapshot
   */
  readonly sizeGiB?: number;

  /**
   * The EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS (io1, io2, gp3 only).
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
   * Encrypt the root volume and so the AMI's snapshot. Turning this off needs a reason: the
   * library's default is to encrypt.
   *
   * @default true
   */
  readonly encrypted?: boolean;

  /**
   * The KMS key that encrypts the volume. Instances launched from the AMI need to use it:
   * grant the Auto Scaling service-linked role where a fleet launches the image.
   *
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The parent image's root device name. Needed only for parents whose root device the
   * library cannot know (an AMI id, an SSM parameter or a lookup of an unusual image).
   *
   * @default - from the parent image (`/dev/xvda` for Amazon Linux and Debian, `/dev/sda1` for Ubuntu and Windows)
   */
  readonly deviceName?: string;
}
