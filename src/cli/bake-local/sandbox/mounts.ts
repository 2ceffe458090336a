import { spawnSync } from 'child_process';
import * as fs from 'fs';

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

/**
 * The mount points strictly below `folder` in this mount namespace (`mountinfo`, as
 * /proc/self/mountinfo reads), outermost first and without those inside another.
 */
export function mountPointsBelow(folder: string, mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf-8')): string[] {
  const prefix = `${folder.replace(/\/+$/, '')}/`;
  const points = mountinfo.split('\n')
    .map(line => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    // mountinfo writes space, tab, newline and backslash in octal.
    .map(field => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter(point => point.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => a.length - b.length)
    .filter((point, index, sorted) => !sorted.slice(0, index).some(outer => point.startsWith(`${outer}/`)));
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
