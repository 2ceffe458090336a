import { MachineSettings } from './machine-settings';

/** The network the box's Vagrantfile gives the guest besides Vagrant's own NAT adapter. */
export type BoxNetwork = 'nat' | 'private_network' | 'public_network';
export const BOX_NETWORKS: readonly BoxNetwork[] = ['nat', 'private_network', 'public_network'];

/** The providers a box can be made for. */
export type BoxProvider = 'aws' | 'virtualbox' | 'vmware_desktop';
export const BOX_PROVIDERS: readonly BoxProvider[] = ['aws', 'virtualbox', 'vmware_desktop'];

/** `metadata.json`: the provider is what `vagrant box add` reads. */
export function renderMetadata(provider: BoxProvider): string {
  return `${JSON.stringify({ provider, format_version: 1 }, null, 2)}\n`;
}

/**
 * The `config.vm.network` line of each mode: NAT is Vagrant's default first adapter (SSH and
 * forwarded ports reach the guest through it), a private network is host-only with an address by
 * DHCP, a public network is bridged to a host interface Vagrant asks for.
 */
function networkLines(network: BoxNetwork): string[] {
  switch (network) {
    case 'nat':
      return ['  # NAT only: Vagrant\'s first adapter; reach services with config.vm.network "forwarded_port".'];
    case 'private_network':
      return ['  config.vm.network "private_network", type: "dhcp"'];
    case 'public_network':
      return ['  config.vm.network "public_network"'];
  }
}

/** The Vagrantfile inside a virtualbox or vmware_desktop box. */
export function renderHypervisorVagrantfile(provider: 'virtualbox' | 'vmware_desktop', machine: MachineSettings, network: BoxNetwork): string {
  const lines = ['Vagrant.configure("2") do |config|'];
  if (provider === 'virtualbox') {
    lines.push(`  config.vm.base_mac = "${machine.baseMac}"`);
  }
  lines.push(...networkLines(network));
  if (provider === 'virtualbox') {
    lines.push('  config.vm.provider "virtualbox" do |vb|', `    vb.cpus = ${machine.cpus}`, `    vb.memory = ${machine.memoryMiB}`);
    if (machine.firmware === 'uefi') {
      lines.push('    vb.customize ["modifyvm", :id, "--firmware", "efi"]');
    }
    lines.push('  end');
  } else {
    lines.push('  config.vm.provider "vmware_desktop" do |v|', `    v.vmx["numvcpus"] = "${machine.cpus}"`, `    v.vmx["memsize"] = "${machine.memoryMiB}"`, '  end');
  }
  lines.push('end', '');
  return lines.join('\n');
}

/** The Vagrantfile inside an aws box: each region's AMI, for the vagrant-aws provider. */
export function renderAwsVagrantfile(amis: ReadonlyMap<string, string>, network: BoxNetwork): string {
  const lines = ['Vagrant.configure("2") do |config|', ...(network === 'nat' ? [] : networkLines(network)), '  config.vm.provider :aws do |aws, override|'];
  for (const [region, ami] of [...amis].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`    aws.region_config "${region}", ami: "${ami}"`);
  }
  lines.push('  end', 'end', '');
  return lines.join('\n');
}
