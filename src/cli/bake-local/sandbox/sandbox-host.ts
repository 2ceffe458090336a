import { spawn } from 'child_process';
import * as fs from 'fs';
import * as readline from 'readline';
import { isolatedCommand } from './isolation';
import { SANDBOX_COMMAND, SandboxEvent, SandboxRequest, SandboxResult } from './sandbox-protocol';

/** How the sandbox ended. */
export interface SandboxExit {
  /** The sandbox's result, when it got to the end. */
  readonly result?: SandboxResult;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of what it wrote on standard error (its own failures, not the steps'). */
  readonly stderr: string;
}

export interface SandboxHandle {
  readonly finished: Promise<SandboxExit>;
  /** Kills the sandbox and everything in it and resolves once all of it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the sandbox: this command line again (`entry`), as PID 1 of new namespaces (see
 * isolation.ts), with the request on its standard input and its events on file descriptor 3.
 */
export function startSandbox(entry: readonly string[], request: SandboxRequest, onEvent: (event: SandboxEvent) => void): SandboxHandle {
  const argv = isolatedCommand([...entry, SANDBOX_COMMAND]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let innerPid: number | undefined;
  let result: SandboxResult | undefined;
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf-8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(JSON.stringify(request));
  const lines = readline.createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
  lines.on('line', line => {
    let event: SandboxEvent;
    try {
      event = JSON.parse(line) as SandboxEvent;
    } catch {
      keep(Buffer.from(`${line}\n`));
      return;
    }
    if (event.type === 'hello') {
      innerPid = event.hostPid;
    } else if (event.type === 'done') {
      result = event.result;
    }
    onEvent(event);
  });
  const finished = new Promise<SandboxExit>(resolve => {
    child.on('close', (exitCode, signal) => resolve({ result, exitCode, signal, stderr }));
    child.on('error', e => resolve({ result, exitCode: null, signal: null, stderr: `${stderr}${argv[0]}: ${e.message}` }));
  });
  return {
    finished,
    stop: async () => {
      // PID 1 of the sandbox first: the kernel then kills everything in its namespace, and
      // unshare, its parent, reaps it and exits.
      for (const pid of [innerPid, child.pid]) {
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
      await finished;
      for (let i = 0; i < 100 && innerPid !== undefined && running(innerPid); i++) {
        await new Promise(r => setTimeout(r, 50));
      }
    },
  };
}

function running(pid: number): boolean {
  try {
    return !/^State:\s+[ZX]/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf-8'));
  } catch {
    return false;
  }
}
