import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hasProgram, runVagrantBox, tarMemberBytes, temporaryFolder } from './run-vagrant-box';

/*
 * The boxes against clients no one here wrote: qemu-img (qemu-utils) makes the VMDK and reads the
 * disk back out of the box; Vagrant (Debian's vagrant package) adds each box, which unpacks it and
 * reads its metadata.json, and lists it under its provider. Adding a box needs no hypervisor.
 * CI installs both with apt-get (.ci/run); where one is absent the tests say so and skip.
 */
const tools = { qemuImg: hasProgram('qemu-img'), vagrant: hasProgram('vagrant') };
const missing = Object.entries({ 'qemu-img (apt-get install qemu-utils)': tools.qemuImg, 'vagrant (apt-get install vagrant)': tools.vagrant })
  .filter(([, present]) => !present).map(([name]) => name);
if (missing.length > 0) {
  // eslint-disable-next-line no-console
  console.warn(`vagrant-box real-client tests skipped: ${missing.join(', ')} not installed`);
}
const describeWithTools = missing.length === 0 ? describe : describe.skip;

describeWithTools('vagrant-box with qemu-img and vagrant', () => {
  let root: string;
  let vagrantHome: string;
  const vagrant = (...args: string[]) => execFileSync('vagrant', args, {
    cwd: root,
    encoding: 'utf-8',
    env: { ...process.env, VAGRANT_HOME: vagrantHome, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_NO_COLOR: '1' },
  });

  beforeAll(() => {
    root = temporaryFolder('real-');
    vagrantHome = path.join(root, 'vagrant.d');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', path.join(root, 'web.vmdk'), '1G']);
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=streamOptimized', path.join(root, 'export.vmdk'), '1G']);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test.each([
    ['virtualbox', ['--vmdk', 'web.vmdk'], 'box-disk001.vmdk'],
    ['vmware_desktop', ['--vmdk', 'web.vmdk'], 'disk.vmdk'],
    ['virtualbox', ['--vmdk', 'export.vmdk'], 'box-disk001.vmdk'],
  ])('a %s box from %j: vagrant adds it under its provider; qemu-img reads the disk in it', async (provider, disk, member) => {
    const name = `web-${provider}-${disk[1].replace('.vmdk', '')}`;
    const run = await runVagrantBox(root, ['--provider', provider, ...disk, '--out', `${name}.box`]);
    expect(run.code).toBe(0);
    const added = vagrant('box', 'add', '--name', name, path.join(root, `${name}.box`));
    expect(added).toContain(`Successfully added box '${name}' (v0) for '${provider}'!`);
    expect(vagrant('box', 'list')).toMatch(new RegExp(`^${name}\\s+\\(${provider}, 0\\)$`, 'm'));
    // Vagrant's unpacked copy of the box holds the disk qemu-img made, unchanged.
    const unpacked = path.join(vagrantHome, 'boxes', name, '0', provider);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path.join(unpacked, member)], { encoding: 'utf-8' }));
    expect(info).toMatchObject({ 'format': 'vmdk', 'virtual-size': 1024 ** 3 });
    expect(info['format-specific'].data['create-type']).toBe(disk[1] === 'export.vmdk' ? 'streamOptimized' : 'monolithicSparse');
    expect(tarMemberBytes(path.join(root, `${name}.box`), member).equals(fs.readFileSync(path.join(root, disk[1])))).toBe(true);
  });

  test('a monolithicFlat disk (a descriptor and its extent): both go into the box under their names, and qemu-img reads them there', async () => {
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', path.join(root, 'flat.vmdk'), '64M']);
    const run = await runVagrantBox(root, ['--provider', 'vmware_desktop', '--vmdk', 'flat.vmdk', '--out', 'flat.box', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).members).toEqual(['metadata.json', 'Vagrantfile', 'box.vmx', 'flat.vmdk', 'flat-flat.vmdk']);
    expect(vagrant('box', 'add', '--name', 'flat', path.join(root, 'flat.box'))).toContain("Successfully added box 'flat' (v0) for 'vmware_desktop'!");
    const unpacked = path.join(vagrantHome, 'boxes', 'flat', '0', 'vmware_desktop');
    expect(fs.readFileSync(path.join(unpacked, 'box.vmx'), 'utf-8')).toContain('sata0:0.fileName = "flat.vmdk"');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path.join(unpacked, 'flat.vmdk')], { encoding: 'utf-8' }));
    expect(info).toMatchObject({ 'format': 'vmdk', 'virtual-size': 64 * 1024 * 1024 });
    expect(info['format-specific'].data.extents[0].filename).toBe(path.join(unpacked, 'flat-flat.vmdk'));
  });

  test('an aws box: vagrant adds it under aws', async () => {
    const run = await runVagrantBox(root, ['--provider', 'aws', '--ami', 'eu-west-1=ami-0123456789abcdef0', '--out', 'web-aws.box']);
    expect(run.code).toBe(0);
    expect(vagrant('box', 'add', '--name', 'web-aws', path.join(root, 'web-aws.box'))).toContain("Successfully added box 'web-aws' (v0) for 'aws'!");
    expect(vagrant('box', 'list')).toMatch(/^web-aws\s+\(aws, 0\)$/m);
    expect(fs.readFileSync(path.join(vagrantHome, 'boxes', 'web-aws', '0', 'aws', 'Vagrantfile'), 'utf-8')).toContain('aws.region_config "eu-west-1", ami: "ami-0123456789abcdef0"');
  });

  test('the OVF package of a streamOptimized disk: qemu-img reads the disk the .ova holds', async () => {
    const run = await runVagrantBox(root, ['--ovf', '--vmdk', 'export.vmdk', '--out', 'web.ova']);
    expect(run.code).toBe(0);
    // A streamOptimized disk is what vSphere imports: no note about converting it.
    expect(run.stderr).not.toContain('note:');
    expect(run.stderr).toContain('writing web.ova: 0.2 / 0.2 MiB (100%)');
    fs.writeFileSync(path.join(root, 'from-ova.vmdk'), tarMemberBytes(path.join(root, 'web.ova'), 'web-disk1.vmdk', false));
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path.join(root, 'from-ova.vmdk')], { encoding: 'utf-8' }));
    expect(info).toMatchObject({ 'format': 'vmdk', 'virtual-size': 1024 ** 3 });
    expect(execFileSync('qemu-img', ['check', path.join(root, 'from-ova.vmdk')], { encoding: 'utf-8' })).toContain('No errors were found');
  });
});
