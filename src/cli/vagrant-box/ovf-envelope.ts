import { MachineSettings } from './machine-settings';
import { VmdkDisk } from './vmdk-disk';

/** The disk as the envelope names it. */
export interface EnvelopeDisk {
  readonly fileName: string;
  readonly fileBytes: number;
  readonly vmdk: VmdkDisk;
}

/** OVF's format URI for a VMDK variant (the values VMware's OVF Tool and VirtualBox write). */
export function ovfDiskFormat(createType: string): string {
  const variant = createType === 'streamOptimized' ? 'streamOptimized' : 'sparse';
  return `http://www.vmware.com/interfaces/specifications/vmdk.html#${variant}`;
}

/**
 * An OVF 1.0 envelope (DMTF DSP0243 1.0) for one disk: References, DiskSection, NetworkSection,
 * and a VirtualSystem whose VirtualHardwareSection has the CPUs, the memory, a SATA (AHCI)
 * controller with the disk on port 0, and one E1000 NIC on NAT: the shape VirtualBox exports and
 * imports. UEFI is carried as VMware's `vmw:Config firmware=efi` (VirtualBox takes it from the
 * box's Vagrantfile instead: it reads firmware only from its own vbox:Machine section).
 */
export function renderOvfEnvelope(machine: MachineSettings, disk: EnvelopeDisk, systemType: string): string {
  const x = escapeXml;
  const items = [
    item(1, 3, `${machine.cpus} virtual CPU`, [['rasd:VirtualQuantity', String(machine.cpus)]]),
    item(2, 4, `${machine.memoryMiB} MB of memory`, [['rasd:AllocationUnits', 'byte * 2^20'], ['rasd:VirtualQuantity', String(machine.memoryMiB)]]),
    item(3, 20, 'sataController0', [['rasd:Address', '0'], ['rasd:ResourceSubType', 'AHCI']]),
    item(4, 17, 'disk1', [['rasd:AddressOnParent', '0'], ['rasd:HostResource', '/disk/vmdisk1'], ['rasd:Parent', '3']]),
    item(5, 10, 'Ethernet adapter on NAT', [['rasd:AutomaticAllocation', 'true'], ['rasd:Connection', 'NAT'], ['rasd:ResourceSubType', 'E1000']]),
  ];
  const firmware = machine.firmware === 'uefi'
    ? '\n      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>'
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope ovf:version="1.0" xml:lang="en-US"
    xmlns="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>
    <File ovf:id="file1" ovf:href="${x(disk.fileName)}" ovf:size="${disk.fileBytes}"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="${disk.vmdk.capacityBytes}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="${ovfDiskFormat(disk.vmdk.createType)}"/>
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks used in the package</Info>
    <Network ovf:name="NAT">
      <Description>Logical network used by this appliance.</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${x(machine.name)}">
    <Info>A virtual machine</Info>
    <Name>${x(machine.name)}</Name>
    <OperatingSystemSection ovf:id="${machine.os.cimId}">
      <Info>The kind of installed guest operating system</Info>
      <Description>${x(machine.os.cimName)}</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements for a virtual machine</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${x(machine.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>${x(systemType)}</vssd:VirtualSystemType>
      </System>
${items.join('\n')}${firmware}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

function item(instanceId: number, resourceType: number, elementName: string, extra: ReadonlyArray<readonly [string, string]>): string {
  // rasd elements in the schema's alphabetical order.
  const fields: Array<readonly [string, string]> = [
    ...extra,
    ['rasd:Caption', elementName],
    ['rasd:ElementName', elementName],
    ['rasd:InstanceID', String(instanceId)],
    ['rasd:ResourceType', String(resourceType)],
  ];
  fields.sort(([a], [b]) => a.localeCompare(b));
  return `      <Item>\n${fields.map(([k, v]) => `        <${k}>${escapeXml(v)}</${k}>`).join('\n')}\n      </Item>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
