import { spawn, SpawnOptions } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BakeResult } from '../../../src/cli/bake-local/report';

/** The command line as it ships: the bundle `npx projen bundle` makes. */
export const CLI = path.join(__dirname, '..', '..', '..', 'assets', 'cli', 'cdk-immutable-infra', 'index.js');

/**
 * The root cache every bake-local integration test shares: Debian 12 is built once with
 * debootstrap (minutes), and concurrent first builds settle on one (see root-builder.ts).
 */
export const TEST_ROOT_CACHE = process.env.BAKE_LOCAL_TEST_CACHE ?? path.join(os.tmpdir(), 'cdk-immutable-infra-bake-local-test-cache');

export function requireCli(): void {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: the command line is bundled by \`npx projen bundle\` (or \`npm test\`)`);
  }
}

/** Whether these tests can run the sandbox (it mounts and unshares). */
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
export const NOT_ROOT_REASON = `skipped: bake-local needs root (mount, unshare) and these tests run as uid ${process.getuid?.()}`;

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line to its end. */
export function runCliProcess(args: readonly string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', chunk => (stdout += chunk));
    child.stderr!.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Whether process `pid` still runs (a zombie has ended). */
export function isRunning(pid: number): boolean {
  try {
    const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf-8'))?.[1];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The parent of process `pid`, or undefined once it has ended. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf-8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is `ancestor` or runs below it (a sandbox's processes keep their host parents). */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf(p)) {
    if (p === ancestor) {
      return true;
    }
  }
  return false;
}

/**
 * Processes (not zombies) whose command line contains `text`; with `under`, only those of that
 * process's tree, so that other bakes on the machine (another test file, a parallel run) never count.
 */
export function processesMatching(text: string, under?: number): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc').filter(n => /^\d+$/.test(n))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf-8').replace(/\0/g, ' ');
      if (cmdline.includes(text) && isRunning(Number(name)) && Number(name) !== process.pid
        && (under === undefined || descendsFrom(Number(name), under))) {
        found.push(Number(name));
      }
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** Mount table lines that mention `text`. */
export function mountsMentioning(text: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf-8').split('\n').filter(line => line.includes(text));
}

/** Waits until `check` holds, or `timeoutMs` passes; returns whether it held. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) {
      return true;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return check();
}

/**
 * A checksum of a folder tree: every entry's path, type, mode, owner, size, link target and
 * file content. Any change to the cached root changes it.
 */
export function treeChecksum(root: string): string {
  const hash = crypto.createHash('sha256');
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      hash.update(`${path.relative(root, full)}\0${stat.mode}\0${stat.uid}:${stat.gid}\0${stat.size}\0${stat.mtimeMs}\0`);
      if (stat.isSymbolicLink()) {
        hash.update(fs.readlinkSync(full));
      } else if (stat.isFile()) {
        hash.update(fs.readFileSync(full));
      } else if (stat.isDirectory()) {
        visit(full);
      }
    }
  };
  visit(root);
  return hash.digest('hex');
}

/**
 * Bakes `image` of the cloud assembly `app` with the command line as it ships, on the shared
 * test root cache, and keeps the resulting root in `kept`; fails with the command's output
 * unless it exits 0.
 */
export async function bakeAndKeep(app: string, image: string, kept: string, timeoutMinutes: number): Promise<BakeResult> {
  const run = await runCliProcess(['bake-local', '--app', app, '--image', image, '--keep', kept, '--cache', TEST_ROOT_CACHE, '--json', '--quiet'],
    { timeoutMs: timeoutMinutes * 60_000 });
  if (run.code !== 0) {
    throw new Error(`bake-local exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(run.stdout) as BakeResult;
}
