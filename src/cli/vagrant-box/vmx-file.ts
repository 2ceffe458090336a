import { MachineSettings } from './machine-settings';

/**
 * A VMware Workstation/Fusion `.vmx` for one disk on a SATA (AHCI) controller, one e1000 NIC on
 * NAT, and the firmware the image boots with. Vagrant's vmware_desktop provider copies the box's
 * folder and opens the one `.vmx` in it.
 */
export function renderVmx(machine: MachineSettings, diskFile: string): string {
  const settings: Array<readonly [string, string]> = [
    ['.encoding', 'UTF-8'],
    ['config.version', '8'],
    ['virtualHW.version', '14'],
    ['displayName', machine.name],
    ['guestOS', machine.os.vmwareGuestOs],
    ['firmware', machine.firmware === 'uefi' ? 'efi' : 'bios'],
    ['numvcpus', String(machine.cpus)],
    ['memsize', String(machine.memoryMiB)],
    ['sata0.present', 'TRUE'],
    ['sata0:0.present', 'TRUE'],
    ['sata0:0.fileName', diskFile],
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.connectionType', 'nat'],
    ['ethernet0.virtualDev', 'e1000'],
    ['ethernet0.addressType', 'generated'],
  ];
  return settings.map(([key, value]) => `${key} = "${value.replace(/"/g, '|22')}"`).join('\n') + '\n';
}
