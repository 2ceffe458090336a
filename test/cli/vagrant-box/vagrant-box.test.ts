import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runVagrantBox, tarListing, tarMember, tarMemberBytes, temporaryFolder, writeSparseVmdkHeader } from './run-vagrant-box';

/*
 * vagrant-box without any hypervisor tool: what each box holds (listed by GNU tar), that the same
 * inputs give the same bytes, the OVF's structure, and the refusals that leave nothing behind.
 */

let root: string;
beforeAll(() => {
  root = temporaryFolder('unit-');
  // 1 GiB virtual, a few KiB of file.
  writeSparseVmdkHeader(path.join(root, 'web.vmdk'), 2 * 1024 * 1024);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function entries(folder: string): string[] {
  return fs.readdirSync(folder).sort();
}

test('virtualbox: metadata.json, Vagrantfile with the base MAC, box.ovf and the disk, owned by 0:0 with one mtime', async () => {
  const run = await runVagrantBox(root, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'vb.box', '--json'], { SOURCE_DATE_EPOCH: '1700000000' });
  expect(run.stderr).not.toMatch(/error/);
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout);
  const box = path.join(root, 'vb.box');
  expect(result).toMatchObject({ kind: 'box', provider: 'virtualbox', path: box, members: ['metadata.json', 'Vagrantfile', 'box.ovf', 'box-disk001.vmdk'] });
  expect(result.sha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(box)).digest('hex'));
  const listing = tarListing(box);
  expect(listing.map(line => line.split(/\s+/).pop())).toEqual(['metadata.json', 'Vagrantfile', 'box.ovf', 'box-disk001.vmdk']);
  for (const line of listing) {
    expect(line).toMatch(/^-rw-r--r-- 0\/0 .* 2023-11-1[45] /);
  }
  expect(JSON.parse(tarMember(box, 'metadata.json'))).toEqual({ provider: 'virtualbox', format_version: 1 });
  expect(tarMember(box, 'Vagrantfile')).toMatch(/config\.vm\.base_mac = "080027[0-9A-F]{6}"/);
  expect(tarMemberBytes(box, 'box-disk001.vmdk').equals(fs.readFileSync(path.join(root, 'web.vmdk')))).toBe(true);
});

test('the same inputs give the same box, byte for byte; another name gives another MAC', async () => {
  const sums: string[] = [];
  for (const out of ['a.box', 'b.box']) {
    const run = await runVagrantBox(root, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', out, '--name', 'web', '--json']);
    sums.push(JSON.parse(run.stdout).sha256);
  }
  expect(sums[0]).toBe(sums[1]);
  const other = await runVagrantBox(root, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'c.box', '--name', 'db', '--json']);
  expect(JSON.parse(other.stdout).sha256).not.toBe(sums[0]);
  expect(tarMember(path.join(root, 'c.box'), 'Vagrantfile')).not.toBe(tarMember(path.join(root, 'a.box'), 'Vagrantfile'));
});

test('box.ovf: an OVF 1.0 envelope whose file, disk, hardware and network refer to each other', async () => {
  await runVagrantBox(root, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'ovf.box', '--cpus', '4', '--memory', '4096', '--name', 'web']);
  const ovf = tarMember(path.join(root, 'ovf.box'), 'box.ovf');
  expect(ovf).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Envelope ovf:version="1.0"/);
  expect(ovf).toContain('xmlns="http://schemas.dmtf.org/ovf/envelope/1"');
  // Every element opened is closed, in order.
  const stack: string[] = [];
  for (const [, closing, name, , selfClosing] of ovf.matchAll(/<(\/?)([A-Za-z:]+)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g)) {
    if (closing) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClosing) {
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  const attr = (element: string, name: string) => new RegExp(`<${element}\\b[^>]*\\b${name}="([^"]*)"`).exec(ovf)?.[1];
  expect(attr('File', 'ovf:href')).toBe('box-disk001.vmdk');
  expect(attr('Disk', 'ovf:fileRef')).toBe(attr('File', 'ovf:id'));
  expect(attr('Disk', 'ovf:capacity')).toBe(String(1024 ** 3));
  expect(attr('Disk', 'ovf:format')).toBe('http://www.vmware.com/interfaces/specifications/vmdk.html#sparse');
  const items = [...ovf.matchAll(/<Item>([\s\S]*?)<\/Item>/g)].map(([, body]) => Object.fromEntries([...body.matchAll(/<rasd:(\w+)>([^<]*)</g)].map(([, k, v]) => [k, v])));
  expect(items.map(i => i.ResourceType)).toEqual(['3', '4', '20', '17', '10']);
  expect(items[0].VirtualQuantity).toBe('4');
  expect(items[1]).toMatchObject({ VirtualQuantity: '4096', AllocationUnits: 'byte * 2^20' });
  expect(items[2].ResourceSubType).toBe('AHCI');
  expect(items[3]).toMatchObject({ HostResource: `/disk/${attr('Disk', 'ovf:diskId')}`, Parent: items[2].InstanceID });
  expect(items[4].Connection).toBe(/<Network ovf:name="([^"]+)"/.exec(ovf)![1]);
  expect(attr('OperatingSystemSection', 'ovf:id')).toBe('96');
  expect(ovf).not.toContain('firmware');
});

test('--firmware uefi and --network reach the OVF, the Vagrantfile and the VMX', async () => {
  await runVagrantBox(root, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'uefi.box', '--firmware', 'uefi', '--network', 'private_network']);
  const vagrantfile = tarMember(path.join(root, 'uefi.box'), 'Vagrantfile');
  expect(vagrantfile).toContain('vb.customize ["modifyvm", :id, "--firmware", "efi"]');
  expect(vagrantfile).toContain('config.vm.network "private_network", type: "dhcp"');
  expect(tarMember(path.join(root, 'uefi.box'), 'box.ovf')).toContain('vmw:key="firmware" vmw:value="efi"');
  const run = await runVagrantBox(root, ['--provider', 'vmware_desktop', '--vmdk', 'web.vmdk', '--out', 'vmw.box', '--firmware', 'uefi', '--network', 'public_network', '--os', 'amazon-linux']);
  expect(run.code).toBe(0);
  expect(tarListing(path.join(root, 'vmw.box')).map(l => l.split(/\s+/).pop())).toEqual(['metadata.json', 'Vagrantfile', 'box.vmx', 'disk.vmdk']);
  const vmx = tarMember(path.join(root, 'vmw.box'), 'box.vmx');
  expect(vmx).toContain('firmware = "efi"');
  expect(vmx).toContain('sata0:0.fileName = "disk.vmdk"');
  expect(vmx).toContain('guestOS = "other5xlinux-64"');
  expect(tarMember(path.join(root, 'vmw.box'), 'Vagrantfile')).toContain('config.vm.network "public_network"');
  expect(JSON.parse(tarMember(path.join(root, 'vmw.box'), 'metadata.json')).provider).toBe('vmware_desktop');
});

test('aws: regions to AMI ids from --ami, sorted, in a Vagrantfile for vagrant-aws', async () => {
  const run = await runVagrantBox(root, ['--provider', 'aws', '--ami', 'us-east-1=ami-0123456789abcdef0', '--ami', 'eu-west-1=ami-89abcdef', '--out', 'aws.box', '--json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).amis).toEqual({ 'us-east-1': 'ami-0123456789abcdef0', 'eu-west-1': 'ami-89abcdef' });
  expect(tarMember(path.join(root, 'aws.box'), 'Vagrantfile')).toBe([
    'Vagrant.configure("2") do |config|',
    '  config.vm.provider :aws do |aws, override|',
    '    aws.region_config "eu-west-1", ami: "ami-89abcdef"',
    '    aws.region_config "us-east-1", ami: "ami-0123456789abcdef0"',
    '  end',
    'end',
    '',
  ].join('\n'));
});

test('aws: AMI ids from cdk deploy --outputs-file, each stack\'s region from the cloud assembly', async () => {
  const app = path.join(root, 'cdk.out');
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, 'manifest.json'), JSON.stringify({
    version: '41.0.0',
    artifacts: {
      WebEu: { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-west-1' },
      WebUs: { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/us-east-2' },
    },
  }));
  fs.writeFileSync(path.join(root, 'outputs.json'), JSON.stringify({
    WebEu: { WebImageAmiId: 'ami-0aaaaaaaaaaaaaaaa', Url: 'https://example.com' },
    WebUs: { WebImageAmiId: 'ami-0bbbbbbbbbbbbbbbb', Url: 'https://example.org' },
  }));
  const run = await runVagrantBox(root, ['--provider', 'aws', '--outputs-file', 'outputs.json', '--regions', 'eu-west-1,us-east-2', '--out', 'outputs.box', '--json']);
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout).amis).toEqual({ 'eu-west-1': 'ami-0aaaaaaaaaaaaaaaa', 'us-east-2': 'ami-0bbbbbbbbbbbbbbbb' });
});

test('--ovf: a folder with .ovf, .mf of SHA-256 digests that match, and the disk; or one .ova with the descriptor first', async () => {
  const run = await runVagrantBox(root, ['--ovf', '--vmdk', 'web.vmdk', '--out', 'web-ovf', '--name', 'web']);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('vSphere imports OVF disks streamOptimized');
  const folder = path.join(root, 'web-ovf');
  expect(entries(folder)).toEqual(['web-disk1.vmdk', 'web.mf', 'web.ovf']);
  const manifest = fs.readFileSync(path.join(folder, 'web.mf'), 'utf-8').trim().split('\n');
  expect(manifest).toHaveLength(2);
  for (const line of manifest) {
    const [, file, digest] = /^SHA256\((.+)\)= ([0-9a-f]{64})$/.exec(line)!;
    expect(crypto.createHash('sha256').update(fs.readFileSync(path.join(folder, file))).digest('hex')).toBe(digest);
  }
  expect(fs.readFileSync(path.join(folder, 'web.ovf'), 'utf-8')).toContain('<vssd:VirtualSystemType>vmx-14</vssd:VirtualSystemType>');
  const ova = await runVagrantBox(root, ['--ovf', '--vmdk', 'web.vmdk', '--out', 'web.ova']);
  expect(ova.code).toBe(0);
  expect(tarListing(path.join(root, 'web.ova'), false).map(l => l.split(/\s+/).pop())).toEqual(['web.ovf', 'web.mf', 'web-disk1.vmdk']);
});

describe('refusals: exit 2, one line naming the flag and file, nothing written', () => {
  test.each([
    ['a file that is not a VMDK', (dir: string) => {
      fs.writeFileSync(path.join(dir, 'disk.qcow2'), Buffer.from('QFI\xfb\0\0\0\x03', 'latin1'));
      return ['--provider', 'virtualbox', '--vmdk', 'disk.qcow2', '--out', 'x.box'];
    }, /^cdk-immutable-infra: --vmdk .*disk\.qcow2: not a VMDK \(the file starts with 0x514649fb.*qemu-img convert/],
    ['a region without an AMI', () => ['--provider', 'aws', '--ami', 'eu-west-1=ami-0123456789abcdef0', '--regions', 'eu-west-1,ap-south-1', '--out', 'x.box'],
      /^cdk-immutable-infra: --regions ap-south-1: no AMI for this region \(have eu-west-1\): add --ami ap-south-1=ami-\.\.\./],
    ['a malformed --ami', () => ['--provider', 'aws', '--ami', 'eu-west-1:ami-0123', '--out', 'x.box'], /--ami eu-west-1:ami-0123: "eu-west-1:ami-0123" is not a region name/],
    ['a disk for an aws box', () => ['--provider', 'aws', '--vmdk', 'web.vmdk', '--out', 'x.box'], /--provider aws with --vmdk web\.vmdk: an aws box holds AMI ids/],
    ['no disk for a virtualbox box', () => ['--provider', 'virtualbox', '--out', 'x.box'], /--provider virtualbox needs a disk/],
    ['--ovf with a provider', () => ['--ovf', '--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'x.box'], /--ovf with --provider virtualbox/],
    ['a machine name that cannot be a file name', () => ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--name', 'web server', '--out', 'x.box'],
      /--name web server: the machine name "web server" must be 1 to 64 letters/],
    ['an unknown provider', () => ['--provider', 'hyperv', '--vmdk', 'web.vmdk', '--out', 'x.box'], /option '--provider <provider>' argument 'hyperv' is invalid/],
  ])('%s', async (_, setup, message) => {
    const dir = temporaryFolder('refuse-');
    fs.copyFileSync(path.join(root, 'web.vmdk'), path.join(dir, 'web.vmdk'));
    const args = setup(dir);
    const before = entries(dir);
    const run = await runVagrantBox(dir, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(entries(dir)).toEqual(before);
    fs.rmSync(dir, { recursive: true });
  });

  test('an --out that exists is kept unless --force, which replaces it whole', async () => {
    const dir = temporaryFolder('force-');
    fs.copyFileSync(path.join(root, 'web.vmdk'), path.join(dir, 'web.vmdk'));
    fs.writeFileSync(path.join(dir, 'web.box'), 'an older box');
    const refused = await runVagrantBox(dir, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'web.box']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out .*web\.box: already exists: choose another path, or add --force/) });
    expect(fs.readFileSync(path.join(dir, 'web.box'), 'utf-8')).toBe('an older box');
    const forced = await runVagrantBox(dir, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'web.box', '--force']);
    expect(forced.code).toBe(0);
    expect(tarListing(path.join(dir, 'web.box'))).toHaveLength(4);
    expect(entries(dir)).toEqual(['web.box', 'web.vmdk']);
    fs.rmSync(dir, { recursive: true });
  });

  test('a disk that fails to read mid-build leaves no temporary file', async () => {
    const dir = temporaryFolder('unreadable-');
    // A descriptor whose extent is a folder: reading it fails after the archive's first members are written.
    fs.writeFileSync(path.join(dir, 'web.vmdk'), '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "web-flat.vmdk" 0\n');
    fs.mkdirSync(path.join(dir, 'web-flat.vmdk'));
    const run = await runVagrantBox(dir, ['--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'web.box']);
    expect(run.code).not.toBe(0);
    expect(entries(dir)).toEqual(['web-flat.vmdk', 'web.vmdk']);
    fs.rmSync(dir, { recursive: true });
  });
});

test('Ctrl-C while the disk is copied: the command ends by SIGINT and leaves no temporary file', async () => {
  const dir = temporaryFolder('interrupt-');
  // A flat VMDK of 128 MiB of random bytes: gzip takes seconds on it, time to interrupt.
  fs.writeFileSync(path.join(dir, 'web.vmdk'), '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 262144 FLAT "web-flat.vmdk" 0\n');
  fs.writeFileSync(path.join(dir, 'web-flat.vmdk'), crypto.randomBytes(128 * 1024 * 1024));
  const cli = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(__dirname, '../../../src/cli/cdk-immutable-infra.ts'),
    'vagrant-box', '--provider', 'virtualbox', '--vmdk', 'web.vmdk', '--out', 'web.box'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '../../../tsconfig.dev.json') },
  });
  let stderr = '';
  const exited = new Promise<NodeJS.Signals | number | null>(resolve => cli.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    cli.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/writing web\.box: [1-9]/.test(stderr)) {
        resolve();
      }
    });
    void exited.then(status => reject(new Error(`the command ended (${status}) before the copy started: ${stderr}`)));
  });
  expect(fs.readdirSync(dir).filter(f => f.endsWith('.tmp'))).toHaveLength(1);
  cli.kill('SIGINT');
  expect(await exited).toBe('SIGINT');
  expect(stderr).toContain('SIGINT: stopping vagrant-box web.box');
  expect(entries(dir)).toEqual(['web-flat.vmdk', 'web.vmdk']);
  fs.rmSync(dir, { recursive: true });
});
