import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ARM_64, GP3, X86_64 } from '../../src/private/ec2-values';

test('the written-out EC2 values are the enum members they stand for', () => {
  expect(X86_64).toBe(ec2.InstanceArchitecture.X86_64);
  expect(ARM_64).toBe(ec2.InstanceArchitecture.ARM_64);
  expect(GP3).toBe(ec2.EbsDeviceVolumeType.GP3);
});
