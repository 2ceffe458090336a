import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/*
 * The values of aws-cdk-lib's EC2 enums that baking an image needs, written out, so that an app
 * that only bakes never loads aws-cdk-lib/aws-ec2 (5 modules, about 150 KB and 11 ms of a
 * whole-process synth). They are the enums' own values, typed as the enums:
 * test/private/ec2-values.test.ts holds each to the member it stands for.
 */

/** `ec2.InstanceArchitecture.X86_64`. */
export const X86_64 = 'x86_64' as ec2.InstanceArchitecture;

/** `ec2.InstanceArchitecture.ARM_64`. */
export const ARM_64 = 'arm64' as ec2.InstanceArchitecture;

/** `ec2.EbsDeviceVolumeType.GP3`. */
export const GP3 = 'gp3' as ec2.EbsDeviceVolumeType;

/** `ec2.EbsDeviceVolumeType.IO1` and `.IO2`: the types that require provisioned IOPS. */
export const PROVISIONED_IOPS = ['io1', 'io2'] as ec2.EbsDeviceVolumeType[];

/** `ec2.EbsDeviceVolumeType.ST1` and `.SC1`: the hard disk types, which cannot boot. */
export const HARD_DISKS = ['st1', 'sc1'] as ec2.EbsDeviceVolumeType[];
