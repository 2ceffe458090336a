import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { DeploymentRootVolumeOptions, ebsSettings, rootVolume } from '../common/root-volume';

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

/** The always-encrypted root volume mapping of a deployment's launch templates. */
export function rootBlockDevice(scope: IConstruct, options: DeploymentRootVolumeOptions, defaultDeviceName: string): RootBlockDevice {
  const volume = rootVolume(scope, { ...options, encrypted: true }, { defaultDeviceName, imageName: 'the AMI\'s' });
  const ebs: ec2.EbsDeviceProps = { ...ebsSettings(volume), ...(volume.kmsKey ? { kmsKey: volume.kmsKey } : {}) };
  return {
    blockDevice: { deviceName: volume.deviceName, volume: new RootEbsVolume(ebs) },
    identity: {
      deviceName: volume.deviceName,
      volumeType: volume.volumeType,
      size: volume.sizeGiB,
      iops: volume.iops,
      throughput: volume.throughput,
      kmsKey: volume.kmsKeyIdentity,
    },
  };
}
