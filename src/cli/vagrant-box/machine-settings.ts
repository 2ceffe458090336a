import { usageError } from '../core/cli-error';

/**
 * The firmware the guest boots with. An AMI with no boot-mode parameter boots on Legacy BIOS on
 * Intel and AMD instance types, and one whose parameter is `uefi-preferred` (Amazon Linux 2023's)
 * boots either way, so BIOS is the default that boots both the Debian 12 and the Amazon Linux
 * 2023 x86_64 images; `uefi` is for images registered with boot mode `uefi`.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-boot-mode.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-boot.html
 */
export type Firmware = 'bios' | 'uefi';
export const FIRMWARES: readonly Firmware[] = ['bios', 'uefi'];

/** The guest operating system, as the OVF (CIM id) and the VMX (guestOS) name it. */
export interface GuestOs {
  readonly cimId: number;
  readonly cimName: string;
  readonly vboxType: string;
  readonly vmwareGuestOs: string;
}

export const GUEST_OSES: Readonly<Record<string, GuestOs>> = {
  'debian': { cimId: 96, cimName: 'Debian 64-Bit', vboxType: 'Debian_64', vmwareGuestOs: 'debian12-64' },
  'amazon-linux': { cimId: 101, cimName: 'Linux 64-Bit', vboxType: 'Linux_64', vmwareGuestOs: 'other5xlinux-64' },
  'linux': { cimId: 101, cimName: 'Linux 64-Bit', vboxType: 'Linux_64', vmwareGuestOs: 'other5xlinux-64' },
};

/** The virtual machine a box describes around its disk. */
export interface MachineSettings {
  readonly name: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly firmware: Firmware;
  readonly os: GuestOs;
  /** The first NIC's MAC, 12 hex digits (VirtualBox's OUI 08:00:27). */
  readonly baseMac: string;
}

/** A positive whole number from a flag, or a one-line error naming the flag. */
export function positiveInteger(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw usageError(`${flag} ${value}: not a whole number from 1 to ${max}`);
  }
  return n;
}
