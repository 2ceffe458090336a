import { spawnSync } from 'child_process';

/**
 * Mount commands run by the sandbox (inside its own mount namespace). A failure throws with
 * mount's own message.
 */
export function run(argv: readonly string[]): void {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) {
    throw new Error(`${argv.join(' ')}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} failed: ${(result.stderr || result.stdout || '').trim() || `exit code ${result.status}`}`);
  }
}

export function mountTmpfs(target: string, mode = '0755'): void {
  run(['mount', '-t', 'tmpfs', '-o', `mode=${mode}`, 'bake-local', target]);
}

export function mountOverlay(target: string, options: string): void {
  run(['mount', '-t', 'overlay', '-o', options, 'bake-local', target]);
}

export function mountProc(target: string): void {
  run(['mount', '-t', 'proc', 'proc', target]);
}

export function mountSysfsReadOnly(target: string): void {
  run(['mount', '-t', 'sysfs', '-o', 'ro,nosuid,nodev,noexec', 'sysfs', target]);
}

/** A recursive bind (the host's /dev, with /dev/pts and /dev/shm below it). */
export function bindRecursive(source: string, target: string): void {
  run(['mount', '--rbind', source, target]);
}

export function bind(source: string, target: string): void {
  run(['mount', '--bind', source, target]);
}

/** Unmounts a mount and everything below it. */
export function unmountRecursive(target: string): void {
  try {
    run(['umount', '--recursive', target]);
  } catch {
    // Something still holds it open: detach it now; the kernel frees it when the last user goes.
    run(['umount', '--recursive', '--lazy', target]);
  }
}
