import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RootRecipe } from './parent-root';

/**
 * bake-local's cache folder: built roots (`roots/<key>/`, never written to after they are
 * built), the sandbox's mount point (`sandbox/`, always empty outside a sandbox), and step logs
 * (`logs/`). `--cache` wins; then `$XDG_CACHE_HOME`; then `~/.cache`.
 */
export function cacheFolder(flagValue: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flagValue) {
    return path.resolve(flagValue);
  }
  const home = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(home, 'cdk-immutable-infra', 'bake-local');
}

/** A root's folder name: readable, and changed by anything that changes what debootstrap makes. */
export function rootKey(recipe: RootRecipe): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(debootstrapArguments(recipe, '-'))).digest('hex').slice(0, 12);
  return `${recipe.distribution}-${recipe.release}-${recipe.codename}-${recipe.architecture}-${hash}`;
}

/** debootstrap's arguments for a recipe, the target folder last but for the mirror and script. */
export function debootstrapArguments(recipe: RootRecipe, target: string): string[] {
  return [
    '--variant=minbase',
    `--arch=${recipe.architecture}`,
    `--include=${recipe.packages.join(',')}`,
    ...(recipe.keyring ? [`--keyring=${recipe.keyring}`] : []),
    recipe.codename,
    target,
    recipe.mirror,
    ...(recipe.script ? [`/usr/share/debootstrap/scripts/${recipe.script}`] : []),
  ];
}

export interface CacheLayout {
  readonly folder: string;
  readonly roots: string;
  /** The sandbox's mount point: an empty folder each sandbox mounts its private tmpfs on. */
  readonly mountPoint: string;
  readonly logs: string;
}

/** The cache's folders, created when missing. */
export function cacheLayout(folder: string): CacheLayout {
  const layout = { folder, roots: path.join(folder, 'roots'), mountPoint: path.join(folder, 'sandbox'), logs: path.join(folder, 'logs') };
  for (const dir of [layout.roots, layout.mountPoint, layout.logs]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return layout;
}

/** A half-built root is named `.partial-<key>-<pid>`. */
export function partialRootPath(layout: CacheLayout, key: string): string {
  return path.join(layout.roots, `.partial-${key}-${process.pid}`);
}

/**
 * Removes what interrupted runs left in `folder`: entries named `<prefix>...<pid>` (half-built
 * roots, half-copied kept roots) whose process is gone. Nothing else is touched.
 */
export function removeStalePartials(folder: string, prefix = '.partial-'): string[] {
  if (!fs.existsSync(folder)) {
    return [];
  }
  const removed: string[] = [];
  for (const name of fs.readdirSync(folder)) {
    const pid = name.startsWith(prefix) ? /-(\d+)$/.exec(name)?.[1] : undefined;
    if (pid !== undefined && !processExists(Number(pid))) {
      fs.rmSync(path.join(folder, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Keeps the newest `keep` run folders of the logs folder. */
export function pruneLogs(logs: string, keep = 20): void {
  const runs = fs.readdirSync(logs).filter(name => fs.statSync(path.join(logs, name)).isDirectory()).sort();
  for (const name of runs.slice(0, Math.max(0, runs.length - keep))) {
    fs.rmSync(path.join(logs, name), { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
