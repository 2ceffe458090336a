import * as path from 'path';
import { AssetStaging } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Where the library's own handler bundles live: `assets/handlers/` of this package (the same
 * relative place from `src/snapshot` in the repository and `lib/snapshot` once packed).
 */
const LIBRARY_HANDLERS = path.resolve(__dirname, '..', '..', 'assets', 'handlers');

/** An asset of the app, by its content hash. */
export interface KnownAsset {
  readonly hash: string;
  /** A fixed name for assets that ship with a library (its bundles), undefined for the user's own. */
  readonly fixedName?: string;
}

/**
 * Every asset staged in the app of `scope`, with a fixed name for those a library ships: this
 * library's handler bundles (`cdk-immutable-infra:release-controller/on-event`) and aws-cdk-lib's
 * (`aws-cdk-lib:<folder in the package>`), whose hashes change with an upgrade of the library,
 * never with the user's change.
 */
export function findAssets(scope: IConstruct): KnownAsset[] {
  const cdkRoot = awsCdkLibRoot();
  const found = new Map<string, KnownAsset>();
  for (const construct of scope.node.root.node.findAll()) {
    if (!(construct instanceof AssetStaging) || found.has(construct.assetHash)) {
      continue;
    }
    const source = path.resolve(construct.sourcePath);
    const fixedName = inside(LIBRARY_HANDLERS, source)
      ? `cdk-immutable-infra:${relative(LIBRARY_HANDLERS, source).replace(/\.lambda(?=\/|$)/g, '')}`
      : cdkRoot && inside(cdkRoot, source) ? `aws-cdk-lib:${relative(cdkRoot, source)}` : undefined;
    found.set(construct.assetHash, { hash: construct.assetHash, fixedName });
  }
  return [...found.values()];
}

/**
 * Replaces every appearance of the given hashes in `text`: the whole hash, and any run of at
 * least 8 hex digits that starts it (the library names temporary files after a hash's first
 * characters, e.g. `/tmp/site-252dcac3`). `label` is called in order of first appearance.
 */
export function replaceHashes(text: string, hashes: readonly string[], label: (hash: string) => string): string {
  if (hashes.length === 0) {
    return text;
  }
  return text.replace(/(?<![0-9a-f])[0-9a-f]{8,64}(?![0-9a-f])/g, run => {
    const hash = hashes.find(h => h.startsWith(run));
    return hash === undefined ? run : label(hash);
  });
}

function awsCdkLibRoot(): string | undefined {
  try {
    return path.dirname(require.resolve('aws-cdk-lib/package.json'));
  } catch {
    return undefined;
  }
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
