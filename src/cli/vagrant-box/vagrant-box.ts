import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import { amisFromFlags, amisFromOutputsFile, amisFromSsm, checkEveryRegion, parseRegions } from './ami-sources';
import { BoxNetwork, BoxProvider, renderAwsVagrantfile, renderHypervisorVagrantfile, renderMetadata } from './box-vagrantfile';
import { ByteProgress, counting, readChunks } from './byte-progress';
import { ArchiveEntry, writeArchive } from './deterministic-tar';
import { Firmware, GUEST_OSES, MachineSettings, positiveInteger } from './machine-settings';
import { OutputPath } from './output-path';
import { renderOvfEnvelope } from './ovf-envelope';
import { downloadFromS3, parseS3Url } from './s3-download';
import { readVmdk, VmdkDisk } from './vmdk-disk';
import { renderVmx } from './vmx-file';
import { ExitCode, usageError } from '../core/cli-error';
import { Interruption } from '../core/interruption';
import { writeJson } from '../core/json-output';
import { CliContext } from '../core/program';

/** The flags of `vagrant-box`, as commander gives them. */
export interface VagrantBoxOptions {
  readonly provider?: BoxProvider;
  readonly ovf: boolean;
  readonly vmdk?: string;
  readonly fromS3?: string;
  readonly downloadTo?: string;
  readonly ami: readonly string[];
  readonly outputsFile?: string;
  readonly app: string;
  readonly outputKey?: string;
  readonly fromSsm?: string;
  readonly regions?: string;
  readonly name?: string;
  readonly cpus: string;
  readonly memory: string;
  readonly firmware: Firmware;
  readonly os: string;
  readonly network: BoxNetwork;
  readonly out: string;
  readonly force: boolean;
  readonly json: boolean;
}

/** What was written, as `--json` prints it. */
export interface VagrantBoxResult {
  readonly kind: 'box' | 'ovf' | 'ova';
  readonly provider?: BoxProvider;
  readonly path: string;
  readonly bytes: number;
  readonly sha256?: string;
  readonly members: readonly string[];
  readonly amis?: Record<string, string>;
  readonly seconds: number;
}

/** Runs `vagrant-box`: checks every input, then writes the box (or OVF package) in one go. */
export async function vagrantBox(options: VagrantBoxOptions, context: CliContext): Promise<ExitCode> {
  const started = Date.now();
  const provider = checkKind(options);
  const resolve = (p: string) => path.resolve(context.cwd, p);
  const out = new OutputPath(resolve(options.out), options.force);
  const name = options.name ?? path.basename(options.out).replace(/\.(box|ova|ovf)$/, '');
  const live = Boolean(context.stderr.isTTY);
  const interruption = new Interruption(context.stderr, `vagrant-box ${options.out}`);
  interruption.add(() => out.discard());
  interruption.install();
  try {
    let result: Omit<VagrantBoxResult, 'seconds'>;
    if (provider === 'aws') {
      const amis = await resolveAmis(options, context);
      result = await writeBox(out, 'aws', [{ name: 'metadata.json', text: renderMetadata('aws') }, { name: 'Vagrantfile', text: renderAwsVagrantfile(amis, options.network) }], context, live);
      result = { ...result, amis: Object.fromEntries(amis) };
    } else {
      const vmdk = await resolveDisk(options, context, live);
      const machine = machineSettings(options, name, vmdk);
      warnAboutVariant(provider ?? 'ovf', vmdk, context);
      result = provider === undefined
        ? await writeOvfPackage(out, machine, vmdk, context, live)
        : await writeBox(out, provider, hypervisorMembers(provider, machine, vmdk, options.network), context, live);
    }
    out.commit();
    const full = { ...result, path: out.target, seconds: (Date.now() - started) / 1000 };
    report(full, name, options.json, context);
    return ExitCode.OK;
  } catch (e) {
    out.discard();
    throw e;
  } finally {
    interruption.uninstall();
  }
}

function checkKind(options: VagrantBoxOptions): BoxProvider | undefined {
  if (options.ovf === Boolean(options.provider)) {
    throw usageError(options.ovf
      ? `--ovf with --provider ${options.provider}: --ovf writes a plain OVF package, not a box: drop one of them`
      : '--provider is needed: aws, virtualbox or vmware_desktop (or --ovf for an OVF package without Vagrant)');
  }
  const hasDisk = Boolean(options.vmdk || options.fromS3);
  if (options.provider === 'aws' && hasDisk) {
    throw usageError(`--provider aws with ${options.vmdk ? `--vmdk ${options.vmdk}` : `--from-s3 ${options.fromS3}`}: an aws box holds AMI ids, not a disk: give --ami, --outputs-file or --from-ssm`);
  }
  if (options.provider !== 'aws' && !hasDisk) {
    throw usageError(`${options.provider ? `--provider ${options.provider}` : '--ovf'} needs a disk: --vmdk FILE, or --from-s3 s3://bucket/key of the exported VMDK`);
  }
  if (options.vmdk && options.fromS3) {
    throw usageError(`--vmdk ${options.vmdk} with --from-s3 ${options.fromS3}: give the disk once`);
  }
  return options.provider;
}

async function resolveAmis(options: VagrantBoxOptions, context: CliContext): Promise<Map<string, string>> {
  const sources = [options.ami.length > 0, Boolean(options.outputsFile), Boolean(options.fromSsm)].filter(Boolean).length;
  if (sources !== 1) {
    throw usageError(`--provider aws needs exactly one source of AMI ids (${sources === 0 ? 'none' : `${sources}`} given): --ami region=ami-..., --outputs-file FILE or --from-ssm NAME --regions ...`);
  }
  const regions = options.regions ? parseRegions(options.regions, '--regions') : undefined;
  const amis = options.fromSsm
    ? await amisFromSsm(options.fromSsm, parseRegions(options.regions, `--from-ssm ${options.fromSsm}`), context.env)
    : options.outputsFile
      ? amisFromOutputsFile(path.resolve(context.cwd, options.outputsFile), path.resolve(context.cwd, options.app), options.outputKey)
      : amisFromFlags(options.ami);
  checkEveryRegion(amis, regions);
  return amis;
}

async function resolveDisk(options: VagrantBoxOptions, context: CliContext, live: boolean): Promise<VmdkDisk> {
  if (options.vmdk) {
    return readVmdk(path.resolve(context.cwd, options.vmdk), '--vmdk');
  }
  const { key } = parseS3Url(options.fromS3!);
  const target = path.resolve(context.cwd, options.downloadTo ?? path.basename(key));
  if (!fs.existsSync(target)) {
    await downloadFromS3(options.fromS3!, target, context.env, new ByteProgress(context.stderr, `downloading ${options.fromS3}`, live));
  } else {
    context.stderr.write(`${target}: already downloaded, using it (delete it to download again)\n`);
  }
  return readVmdk(target, `--from-s3 ${options.fromS3} (downloaded to ${target})`);
}

function machineSettings(options: VagrantBoxOptions, name: string, vmdk: VmdkDisk): MachineSettings {
  // The name becomes file names inside the package (<name>.ovf), whose tar headers hold 100 bytes.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw usageError(`${options.name ? '--name' : '--out'} ${options.name ?? options.out}: the machine name "${name}" must be 1 to 64 letters, digits, '.', '_' or '-': give --name`);
  }
  const os = GUEST_OSES[options.os];
  // A MAC derived from the box name and disk size: the same box is built byte for byte again.
  const digest = crypto.createHash('sha256').update(`${name}\0${vmdk.capacityBytes}`).digest('hex');
  return {
    name,
    cpus: positiveInteger('--cpus', options.cpus, 64),
    memoryMiB: positiveInteger('--memory', options.memory, 1024 * 1024),
    firmware: options.firmware,
    os,
    baseMac: `080027${digest.slice(0, 6)}`.toUpperCase(),
  };
}

/** The disk's files in a box: a single sparse file under a fixed name, a descriptor's files under theirs. */
function diskMembers(vmdk: VmdkDisk, single: string): ArchiveEntry[] {
  return vmdk.files.length === 1
    ? [{ name: single, file: vmdk.file }]
    : vmdk.files.map(file => ({ name: path.basename(file), file }));
}

function hypervisorMembers(provider: 'virtualbox' | 'vmware_desktop', machine: MachineSettings, vmdk: VmdkDisk, network: BoxNetwork): ArchiveEntry[] {
  const disks = diskMembers(vmdk, provider === 'virtualbox' ? 'box-disk001.vmdk' : 'disk.vmdk');
  const descriptor = provider === 'virtualbox'
    ? { name: 'box.ovf', text: renderOvfEnvelope(machine, { fileName: disks[0].name, fileBytes: vmdk.fileBytes, vmdk }, 'virtualbox-2.2') }
    : { name: 'box.vmx', text: renderVmx(machine, disks[0].name) };
  return [
    { name: 'metadata.json', text: renderMetadata(provider) },
    { name: 'Vagrantfile', text: renderHypervisorVagrantfile(provider, machine, network) },
    descriptor,
    ...disks,
  ];
}

async function writeBox(out: OutputPath, provider: BoxProvider, members: ArchiveEntry[], context: CliContext, live: boolean): Promise<Omit<VagrantBoxResult, 'seconds'>> {
  const progress = new ByteProgress(context.stderr, `writing ${path.basename(out.target)}`, live);
  const sha256 = await writeArchive(out.temp, members, { gzip: true, mtime: sourceDateEpoch(context.env), onBytes: (d, t) => progress.update(d, t) });
  progress.done();
  return { kind: 'box', provider, path: out.target, bytes: fs.statSync(out.temp).size, sha256, members: members.map(m => m.name) };
}

/**
 * An OVF package for VMware Fusion, Workstation or vSphere: `<name>.ovf`, the disk and `<name>.mf`
 * (`SHA256(file)= digest` per file, as OVF 1.0 section 5.1 and VMware's OVF Tool write it), as a
 * folder, or as one `.ova` (a tar with the descriptor first) when `--out` ends in `.ova`.
 */
async function writeOvfPackage(out: OutputPath, machine: MachineSettings, vmdk: VmdkDisk, context: CliContext, live: boolean): Promise<Omit<VagrantBoxResult, 'seconds'>> {
  const disks = diskMembers(vmdk, `${machine.name}-disk1.vmdk`);
  const ovfName = `${machine.name}.ovf`;
  const ovf = renderOvfEnvelope(machine, { fileName: disks[0].name, fileBytes: vmdk.fileBytes, vmdk }, 'vmx-14');
  const progress = new ByteProgress(context.stderr, `hashing ${path.basename(vmdk.file)}`, live);
  const digests = [`SHA256(${ovfName})= ${sha256Text(ovf)}`];
  let done = 0;
  for (const disk of disks) {
    const hash = crypto.createHash('sha256');
    for await (const chunk of readChunks(disk.file!)) {
      hash.update(chunk);
      done += chunk.length;
      progress.update(done, vmdk.fileBytes);
    }
    digests.push(`SHA256(${disk.name})= ${hash.digest('hex')}`);
  }
  progress.done();
  const members: ArchiveEntry[] = [{ name: ovfName, text: ovf }, { name: `${machine.name}.mf`, text: `${digests.join('\n')}\n` }, ...disks];
  if (out.target.endsWith('.ova')) {
    const copy = new ByteProgress(context.stderr, `writing ${path.basename(out.target)}`, live);
    const sha256 = await writeArchive(out.temp, members, { gzip: false, mtime: sourceDateEpoch(context.env), onBytes: (d, t) => copy.update(d, t) });
    copy.done();
    return { kind: 'ova', path: out.target, bytes: fs.statSync(out.temp).size, sha256, members: members.map(m => m.name) };
  }
  fs.mkdirSync(out.temp);
  const copy = new ByteProgress(context.stderr, `copying ${path.basename(vmdk.file)}`, live);
  let copied = 0;
  for (const member of members) {
    const target = path.join(out.temp, member.name);
    if (member.text !== undefined) {
      fs.writeFileSync(target, member.text);
      continue;
    }
    await pipeline(readChunks(member.file!), counting(bytes => copy.update(copied += bytes, vmdk.fileBytes)), fs.createWriteStream(target, { flags: 'wx' }));
  }
  copy.done();
  const bytes = members.reduce((sum, m) => sum + fs.statSync(path.join(out.temp, m.name)).size, 0);
  return { kind: 'ovf', path: out.target, bytes, members: members.map(m => m.name) };
}

function warnAboutVariant(kind: BoxProvider | 'ovf', vmdk: VmdkDisk, context: CliContext): void {
  // VMware's hosted products run sparse disks and import OVF disks stream-optimized; AWS's VM
  // export writes stream-optimized VMDKs, qemu-img monolithicSparse ones by default.
  if (kind === 'vmware_desktop' && vmdk.createType === 'streamOptimized') {
    context.stderr.write('note: the disk is streamOptimized; if VMware Workstation/Fusion will not open it, convert it with '
      + '`qemu-img convert -O vmdk -o subformat=monolithicSparse` (or `vmware-vdiskmanager -r`) and build again\n');
  }
  if (kind === 'ovf' && vmdk.createType !== 'streamOptimized') {
    context.stderr.write(`note: the disk is ${vmdk.createType}; vSphere imports OVF disks streamOptimized: convert it with `
      + '`qemu-img convert -O vmdk -o subformat=streamOptimized` if the import refuses it\n');
  }
}

function report(result: VagrantBoxResult, name: string, json: boolean, context: CliContext): void {
  if (json) {
    writeJson(context.stdout, result);
    return;
  }
  const lines = [`${result.path}: ${result.kind === 'box' ? `a box for ${result.provider}` : `an OVF package (${result.kind})`}, ${result.bytes} bytes, in ${result.seconds.toFixed(1)}s`];
  lines.push(`  ${result.members.join(', ')}`);
  if (result.sha256) {
    lines.push(`  sha256 ${result.sha256}`);
  }
  if (result.kind === 'box') {
    lines.push(`  vagrant box add --name ${name} ${result.path}`);
    lines.push(`  or in a Vagrantfile: config.vm.box_url = "<url>"; config.vm.box_download_checksum = "${result.sha256}"; config.vm.box_download_checksum_type = "sha256"`);
  }
  context.stdout.write(`${lines.join('\n')}\n`);
}

function sha256Text(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Every member's mtime: SOURCE_DATE_EPOCH where the build sets it (reproducible builds' convention), else 0. */
function sourceDateEpoch(env: NodeJS.ProcessEnv): number {
  const value = Number(env.SOURCE_DATE_EPOCH);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}
