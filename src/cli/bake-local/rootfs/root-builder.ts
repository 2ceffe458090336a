import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RootRecipe } from './parent-root';
import { CacheLayout, debootstrapArguments, partialRootPath, removeStalePartials, rootKey } from './root-cache';
import { shellQuote } from '../../../provisioning/script-language';
import { CliError, ExitCode } from '../../core/cli-error';
import { isolatedCommand } from '../sandbox/isolation';

/** A root in the cache, and whether this run built it. */
export interface CachedRoot {
  readonly path: string;
  readonly built: boolean;
  readonly seconds: number;
}

export interface RootBuild {
  readonly done: Promise<CachedRoot>;
  /** Stops a build in progress and removes what it wrote. */
  stop(): Promise<void>;
}

/**
 * The cached root for a recipe, built on first use: debootstrap runs isolated like a bake (its
 * own mount and PID namespaces, killed with the command line), into a private tmpfs; the result
 * is copied to `roots/.partial-<key>-<pid>` and renamed into place, so the cache never holds a
 * half-built root under its real name. Concurrent builders both finish; the first rename wins.
 */
export function ensureRoot(recipe: RootRecipe, layout: CacheLayout): RootBuild {
  const key = rootKey(recipe);
  const target = path.join(layout.roots, key);
  if (fs.existsSync(target)) {
    return { done: Promise.resolve({ path: target, built: false, seconds: 0 }), stop: async () => undefined };
  }
  removeStalePartials(layout.roots);
  const partial = partialRootPath(layout, key);
  const logFile = path.join(layout.roots, `${key}.log`);
  const started = Date.now();
  const staging = path.join(layout.mountPoint, 'root');
  const script = [
    'set -e',
    `mount -t tmpfs -o mode=0755 bake-local ${shellQuote(layout.mountPoint)}`,
    `debootstrap ${debootstrapArguments(recipe, staging).map(shellQuote).join(' ')}`,
    // Downloaded packages are not part of a cloud image's root.
    `rm -f ${shellQuote(staging)}/var/cache/apt/archives/*.deb`,
    `cp -a ${shellQuote(staging)} ${shellQuote(partial)}`,
  ].join('\n');
  const argv = isolatedCommand(['/bin/sh', '-c', script]);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const done = new Promise<CachedRoot>((resolve, reject) => {
    child.on('error', e => reject(new CliError(`could not start debootstrap: ${e.message}`, ExitCode.FAILED)));
    child.on('close', code => {
      if (code !== 0) {
        fs.rmSync(partial, { recursive: true, force: true });
        reject(new CliError(`building the ${recipe.displayName} root failed (${lastLine(logFile)}); see ${logFile}`, ExitCode.FAILED));
        return;
      }
      try {
        fs.renameSync(partial, target);
      } catch (e) {
        // Another bake built it meanwhile: theirs is as good as ours.
        fs.rmSync(partial, { recursive: true, force: true });
        if (!fs.existsSync(target)) {
          reject(e);
          return;
        }
      }
      const seconds = (Date.now() - started) / 1000;
      fs.writeFileSync(`${target}.json`, `${JSON.stringify({ recipe, built: new Date().toISOString(), seconds, command: ['debootstrap', ...debootstrapArguments(recipe, target)] }, null, 2)}\n`);
      resolve({ path: target, built: true, seconds });
    });
  });
  return {
    done,
    stop: async () => {
      child.kill('SIGKILL');
      await done.catch(() => undefined);
      fs.rmSync(partial, { recursive: true, force: true });
    },
  };
}

function lastLine(file: string): string {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8').split('\n').map(l => l.trim()).filter(l => l !== '') : [];
  return lines.pop() ?? 'no output';
}
