import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ARM_64, GP3, HARD_DISKS, PROVISIONED_IOPS, X86_64 } from '../../src/private/ec2-values';

test('the written-out EC2 values are the enum members they stand for', () => {
  expect(X86_64).toBe(ec2.InstanceArchitecture.X86_64);
  expect(ARM_64).toBe(ec2.InstanceArchitecture.ARM_64);
  expect(GP3).toBe(ec2.EbsDeviceVolumeType.GP3);
  expect(PROVISIONED_IOPS).toEqual([ec2.EbsDeviceVolumeType.IO1, ec2.EbsDeviceVolumeType.IO2]);
  expect(HARD_DISKS).toEqual([ec2.EbsDeviceVolumeType.ST1, ec2.EbsDeviceVolumeType.SC1]);
});
