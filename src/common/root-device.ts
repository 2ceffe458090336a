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

/** A root device name, and whether it is defaultRootDeviceName's guess for a Linux AMI. */
export interface RootDevice {
  readonly rootDeviceName: string;
  readonly rootDeviceNameAssumed?: boolean;
}

/**
 * The root device name given (or known), else defaultRootDeviceName's guess, flagged on Linux:
 * EC2 registers a Linux AMI's root as /dev/xvda or /dev/sda1, and nothing known at synth time
 * says which. (Windows AMIs use /dev/sda1.)
 */
export function rootDeviceOrGuess(given: string | undefined, osFamily: OsFamily): RootDevice {
  if (given !== undefined) {
    return { rootDeviceName: given };
  }
  return { rootDeviceName: defaultRootDeviceName(osFamily), ...(osFamily === OsFamily.LINUX ? { rootDeviceNameAssumed: true } : {}) };
}

/**
 * Warns where an image's root device is a guess (`rootDeviceOrGuess`) and the root volume does
 * not name its device (`namedDevice`). `fix` says where to name it.
 */
export function warnIfRootDeviceAssumed(scope: IConstruct, image: string, device: RootDevice, namedDevice: string | undefined, fix: string): void {
  if (!device.rootDeviceNameAssumed || namedDevice !== undefined) {
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-immutable-infra:rootDeviceAssumed', `${image} is an AMI the library knows nothing about, so its root device `
    + `is taken to be ${device.rootDeviceName}, as on Amazon Linux and Debian; other AMIs, Ubuntu's among them, have /dev/sda1, and under a wrong name the root `
    + `volume settings (encryption, size, type) go to an extra, empty volume and the real root keeps the AMI's. ${fix}`);
}
