import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/core/program';
import { vagrantBoxCommand } from '../../../src/cli/vagrant-box/command';

export interface BoxRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `cdk-immutable-infra vagrant-box ARGS` in `cwd`, in process, its output captured. */
export async function runVagrantBox(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<BoxRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['vagrant-box', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd,
  }, [vagrantBoxCommand]);
  return { code, stdout, stderr };
}

export function temporaryFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `vagrant-box-${prefix}`));
}

/** Whether a program is on PATH (the real clients the box tests run). */
export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A small sparse VMDK as VMware's hosted products write it (magic KDMV, embedded descriptor):
 * the header fields the command reads, in the layout of the Virtual Disk Format 1.1, so the tests
 * that need no qemu-img still read a real-shaped disk.
 */
export function writeSparseVmdkHeader(file: string, capacitySectors: number, createType = 'monolithicSparse'): void {
  const descriptor = `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="${createType}"\n\nRW ${capacitySectors} SPARSE "${path.basename(file)}"\n`;
  const head = Buffer.alloc(512 * 3);
  head.write('KDMV', 0, 'latin1');
  head.writeUInt32LE(1, 4);
  head.writeUInt32LE(3, 8);
  head.writeBigUInt64LE(BigInt(capacitySectors), 12);
  head.writeBigUInt64LE(128n, 20);
  head.writeBigUInt64LE(1n, 28);
  head.writeBigUInt64LE(2n, 36);
  head.write(descriptor, 512, 'latin1');
  fs.writeFileSync(file, head);
}

/** The member list of a .box as GNU tar lists it (`tar -tvzf`): mode, owner, size, name per line. */
export function tarListing(file: string, gzip = true): string[] {
  return execFileSync('tar', [gzip ? '-tvzf' : '-tvf', file, '--numeric-owner'], { encoding: 'utf-8' }).trim().split('\n');
}

/** One member's bytes (`tar -xOf`). */
export function tarMemberBytes(file: string, member: string, gzip = true): Buffer {
  return execFileSync('tar', [gzip ? '-xzOf' : '-xOf', file, member], { maxBuffer: 64 * 1024 * 1024 });
}

/** One member's text. */
export function tarMember(file: string, member: string, gzip = true): string {
  return tarMemberBytes(file, member, gzip).toString('utf-8');
}
