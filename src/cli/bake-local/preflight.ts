import * as fs from 'fs';
import * as path from 'path';
import { usageError } from '../core/cli-error';
import { SANDBOX_TOOLS } from './sandbox/isolation';
import { resolveInRoot } from './sandbox/root-path';

/**
 * What the machine must have before a bake starts, each said with the fix: Linux, root (the
 * sandbox mounts and unshares), and the host tools the sandbox runs.
 */
export function checkMachine(options: {
  readonly test: boolean;
  readonly debootstrap: boolean;
  /** The archive keyring debootstrap needs (Ubuntu's, on a Debian machine). */
  readonly keyring?: string;
  readonly env?: NodeJS.ProcessEnv;
}): void {
  if (process.platform !== 'linux') {
    throw usageError(`bake-local runs on Linux only (this is ${process.platform}): run it in a Linux VM or CI runner`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw usageError('bake-local must run as root: it mounts an overlay and creates namespaces (mount, unshare). Run it with sudo');
  }
  const wanted = SANDBOX_TOOLS.filter(t => options.test || (t.tool !== 'ip' && t.tool !== 'nsenter'));
  const tools = [...wanted, ...(options.debootstrap ? [{ tool: 'debootstrap', packageName: 'debootstrap' }] : [])];
  const missing = tools.filter(t => !onPath(t.tool, options.env ?? process.env));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(t => t.packageName))].join(' ');
    throw usageError(`bake-local needs ${missing.map(t => t.tool).join(', ')}, not found on PATH: install ${packages} (apt-get install -y ${packages})`);
  }
  if (options.debootstrap && options.keyring && !fs.existsSync(options.keyring)) {
    throw usageError(`building this root needs the archive keyring ${options.keyring} (package ubuntu-keyring on Ubuntu; Debian has none): `
      + 'install it, or pass --rootfs DIR with a prepared root');
  }
}

/** A prepared root given with --rootfs: a folder with a shell that is not this machine's own root. */
export function checkRootfs(dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw usageError(`--rootfs ${dir}: no such folder; give a prepared root filesystem (a folder with bin/, etc/, usr/)`);
  }
  const real = fs.realpathSync(dir);
  if (real === '/') {
    throw usageError(`--rootfs ${dir} is this machine's own root: bake-local refuses to run on /, which the steps would change; give a separate root filesystem`);
  }
  if (!['/bin/sh', '/bin/bash'].some(shell => fs.existsSync(resolveInRoot(real, shell)))) {
    throw usageError(`--rootfs ${dir} has no /bin/sh: it is not a root filesystem`);
  }
  return real;
}

/** The folder --keep names: new or empty, never /; returns its absolute path. */
export function checkKeep(dir: string): string {
  const absolute = path.resolve(dir);
  if (absolute === '/' || (fs.existsSync(absolute) && fs.realpathSync(absolute) === '/')) {
    throw usageError(`--keep ${dir}: refusing to write the image over /; give a new folder`);
  }
  if (fs.existsSync(absolute) && (!fs.statSync(absolute).isDirectory() || fs.readdirSync(absolute).length > 0)) {
    throw usageError(`--keep ${dir} exists and is not an empty folder: give a new folder, or remove it first`);
  }
  if (!fs.existsSync(path.dirname(absolute))) {
    throw usageError(`--keep ${dir}: its parent folder ${path.dirname(absolute)} does not exist`);
  }
  return absolute;
}

function onPath(tool: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = (env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some(dir => {
    try {
      fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
