import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from '../assembly/cloud-assembly';

/** What changed inside one asset a component downloads, file by file. */
export interface AssetChange {
  /** The asset's S3 location in the new template. */
  readonly location: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  /** Set when one side's asset is not staged in its assembly (a template directory holds none). */
  readonly unknown?: string;
}

/** The S3 locations a component document downloads, in order of appearance. */
export function assetLocations(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/s3:\/\/[^\s'"]+/g), m => m[0]))];
}

/**
 * Compares the assets two versions of a document download, pairing them by position: the files
 * a folder asset gained, lost or changed, or the file asset itself.
 */
export function assetChanges(base: CloudAssembly, app: CloudAssembly, before: readonly string[], after: readonly string[]): AssetChange[] {
  const changes: AssetChange[] = [];
  after.forEach((location, i) => {
    const previous = before[i];
    if (previous === location) {
      return;
    }
    const newFiles = stagedFiles(app, location);
    const oldFiles = previous === undefined ? new Map<string, string>() : stagedFiles(base, previous);
    if (!newFiles || !oldFiles) {
      changes.push({ location, added: [], removed: [], changed: [], unknown: `${newFiles ? 'the base' : 'the app'} does not stage it` });
      return;
    }
    changes.push({
      location,
      added: [...newFiles.keys()].filter(f => !oldFiles.has(f)),
      removed: [...oldFiles.keys()].filter(f => !newFiles.has(f)),
      changed: [...newFiles.keys()].filter(f => oldFiles.has(f) && oldFiles.get(f) !== newFiles.get(f)),
    });
  });
  return changes;
}

/** Relative path to content hash of every file of a staged asset (a file asset is one entry, its name). */
function stagedFiles(assembly: CloudAssembly, location: string): Map<string, string> | undefined {
  const staged = assembly.assets.get(location);
  if (!staged || !fs.existsSync(staged.source)) {
    return undefined;
  }
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        files.set(path.relative(staged.source, full).split(path.sep).join('/'), hashFile(full));
      }
    }
  };
  if (fs.statSync(staged.source).isDirectory()) {
    walk(staged.source);
  } else {
    files.set('(the file)', hashFile(staged.source));
  }
  return files;
}

function hashFile(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
