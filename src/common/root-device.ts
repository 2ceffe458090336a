import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { OsFamily } from './os-family';

/**
 * The root device name to assume for an AMI the library knows nothing else about: where
 * Amazon Linux and Debian AMIs register their root (`/dev/xvda`), and where Windows AMIs do
 * (`/dev/sda1`). Ubuntu AMIs use `/dev/sda1` too; the parents the library offers by name carry
 * their own device in managed-parent-images.ts, which is the one table of per-parent facts.
 *
 * A launch template or recipe that maps the root under another name than the AMI's gives the
 * instance a second, empty volume and leaves the real root unencrypted and unsized, so every
 * caller that cannot read the AMI's own mapping takes its default from here.
 */
export function defaultRootDeviceName(osFamily: OsFamily): string {
  return osFamily === OsFamily.WINDOWS ? '/dev/sda1' : '/dev/xvda';
}

/**
 * Warns that `deviceName` is defaultRootDeviceName's guess for a Linux AMI: EC2 registers an
 * AMI's root as /dev/xvda or /dev/sda1, and nothing known at synth time says which. (Windows AMIs
 * use /dev/sda1.) `fix` says where to name the device.
 */
export function warnRootDeviceAssumed(scope: IConstruct, image: string, deviceName: string, fix: string): void {
  Annotations.of(scope).addWarningV2('cdk-immutable-infra:rootDeviceAssumed', `${image} is an AMI the library knows nothing about, so its root device `
    + `is taken to be ${deviceName}, as on Amazon Linux and Debian; other AMIs, Ubuntu's among them, have /dev/sda1, and under a wrong name the root `
    + `volume settings (encryption, size, type) go to an extra, empty volume and the real root keeps the AMI's. ${fix}`);
}
