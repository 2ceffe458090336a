import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The library as `npm publish` would ship it, packed from the working tree's compiled `lib/`
 * and bundled `assets/`. Projen's build runs the tests before its `package` step makes
 * dist/js/*.tgz, so the tests pack for themselves, into a folder outside the repository.
 */
export const REPO = path.join(__dirname, '..', '..');

export interface PackedLibrary {
  /** The .tgz file. */
  readonly tarball: string;
  /** Every path in the tarball, relative to the package root, sorted. */
  readonly files: string[];
  /** Where the tarball was extracted: the package root (npm's `package/` folder). */
  readonly root: string;
  /** The packed package.json. */
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly name: string;
  readonly main: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly bundledDependencies?: string[];
  readonly engines?: Record<string, string>;
}

/**
 * Packs the library into `destination` (a folder outside the repository, made if missing) and extracts
 * the tarball there. Fails with what to run when the build outputs are missing.
 */
export function packLibrary(destination: string): PackedLibrary {
  const missing = ['lib/index.js', '.jsii', 'assets/handlers'].filter(p => !fs.existsSync(path.join(REPO, p)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} missing: the packed library is built by \`npx projen bundle && npx projen compile\` (or \`npm test\`)`);
  }
  fs.mkdirSync(destination, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: REPO,
    env: cleanNpmEnvironment(),
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(destination, packed.filename);
  execFileSync('tar', ['-xzf', tarball, '-C', destination]);
  const root = path.join(destination, 'package');
  return {
    tarball,
    files: packed.files.map(f => f.path).sort(),
    root,
    manifest: JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8')),
  };
}

/**
 * The environment without what npm adds when it runs a script of this repository (`npm test`):
 * its lifecycle and package variables and its prefixes would make an npm started from here act
 * on this project instead of the folder it runs in. The user's npm settings (registry, cache,
 * certificates) stay.
 */
export function cleanNpmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(lifecycle_|package_|command$|execpath$|node_execpath$)/i.test(key)
      || /^npm_config_(local_prefix|prefix|global_prefix|call|argv)$/i.test(key)
      || key === 'INIT_CWD') {
      continue;
    }
    env[key] = value;
  }
  return { ...env, ...extra };
}
