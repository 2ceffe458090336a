import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Guest, GUEST_ENVIRONMENT, GuestExecOptions, GuestExecResult } from './guest';
import { GuestAccounts } from './guest-accounts';
import { guestCommand } from './isolation';
import { OverlayRoot } from './overlay-root';
import { resolveInRoot } from './root-path';

/** Where bake-local keeps its own files inside a guest: on its /run, so never in the image. */
export const SCRATCH_GUEST_PATH = '/run/bake-local';

/** Most of a command's standard output kept for `outputs.stdout` (the log has all of it). */
const MAX_STDOUT = 1024 * 1024;

export interface SandboxGuestOptions {
  /** The network namespace commands run in (the test phase's). */
  readonly networkNamespace?: string;
  /** Processes a restart leaves running (the network namespace's holder). */
  readonly keepAlive?: () => readonly number[];
}

/**
 * The guest as the sandbox runs it: commands chrooted into the overlay (and, in the test phase,
 * in the phase's network namespace), each in a process group of its own so that a timeout kills
 * all of it; an emulated restart stops every process of the sandbox but the runner itself.
 */
export class SandboxGuest implements Guest {
  constructor(
    private readonly overlay: OverlayRoot,
    private readonly options: SandboxGuestOptions = {},
  ) {}

  public get root(): string {
    return this.overlay.root;
  }

  public resolve(guestPath: string, options?: { cwd?: string; followLast?: boolean }): string {
    return resolveInRoot(this.root, guestPath, options);
  }

  public scratch(): { guestPath: string; hostPath: string } {
    const hostPath = path.join(this.root, SCRATCH_GUEST_PATH);
    fs.mkdirSync(hostPath, { recursive: true, mode: 0o700 });
    return { guestPath: SCRATCH_GUEST_PATH, hostPath };
  }

  public accounts(): GuestAccounts {
    return new GuestAccounts(this.root);
  }

  public exec(argv: readonly string[], options: GuestExecOptions): Promise<GuestExecResult> {
    const command = guestCommand(this.root, options.cwd, argv, this.options.networkNamespace);
    return runCommand(command, { ...GUEST_ENVIRONMENT, ...options.env }, options);
  }

  public async reboot(): Promise<string> {
    const stopped = await stopProcesses(new Set([process.pid, ...(this.options.keepAlive?.() ?? [])]));
    this.overlay.remountRun();
    this.overlay.emptyTmp();
    return `${stopped} process${stopped === 1 ? '' : 'es'} stopped, /run and /tmp emptied (no kernel restarts and no service starts at boot)`;
  }
}

/** Runs a host command (already wrapped for the guest), streaming its output and enforcing the deadline. */
export function runCommand(command: readonly string[], env: NodeJS.ProcessEnv, options: Pick<GuestExecOptions, 'deadline' | 'onOutput'>): Promise<GuestExecResult> {
  return new Promise(resolve => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let timedOut = false;
    const onOutput = options.onOutput ?? (() => undefined);
    child.stdout.setEncoding('utf-8').on('data', (chunk: string) => {
      if (stdout.length < MAX_STDOUT) {
        stdout += chunk;
      }
      onOutput(chunk);
    });
    let stderrTail = '';
    child.stderr.setEncoding('utf-8').on('data', (chunk: string) => {
      // A line may come in several writes: keep the tail and find its last line at the end.
      stderrTail = (stderrTail + chunk).slice(-4096);
      onOutput(chunk);
    });
    const timer = options.deadline === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, Math.max(0, options.deadline - Date.now()));
    child.on('error', e => {
      clearTimeout(timer);
      resolve({ exitCode: 127, stdout, lastErrorLine: `${command[0]}: ${e.message}`, timedOut });
    });
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        child.stdout.destroy();
        child.stderr.destroy();
        const lastErrorLine = stderrTail.split('\n').map(l => l.trim()).filter(l => l !== '').pop();
        resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, stdout, lastErrorLine, timedOut });
      }
    };
    child.on('close', finish);
    // A daemon the command started may keep its output open: the command has ended when it exits.
    child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 200).unref());
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) {
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Kills every process of this PID namespace but `keep` (the sandbox's /proc shows only its own)
 * and waits until they are gone; a zombie counts as gone. Returns how many it stopped.
 */
export async function stopProcesses(keep: ReadonlySet<number>): Promise<number> {
  const victims = listProcesses().filter(pid => !keep.has(pid));
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  for (let i = 0; i < 100 && victims.some(isAlive); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  return victims.length;
}

export function listProcesses(): number[] {
  return fs.readdirSync('/proc').filter(name => /^\d+$/.test(name)).map(Number);
}

/** Running, not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf-8');
    return !/^State:\s+[ZX]/m.test(status);
  } catch {
    return false;
  }
}
