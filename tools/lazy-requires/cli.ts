import * as fs from 'fs';
import * as path from 'path';
import { lazyRequires } from './lazy-requires';

/**
 * `node -r ts-node/register tools/lazy-requires/cli.ts lib`: makes every compiled module under
 * the folder load its imports on first use (see lazy-requires.ts). Runs after jsii compiles, on
 * the JavaScript the package ships; the TypeScript sources and the .jsii assembly are untouched.
 */
function main(root: string): void {
  let files = 0;
  let lazy = 0;
  for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) {
    if (!rel.endsWith('.js')) {
      continue;
    }
    const file = path.join(root, rel);
    const result = lazyRequires(fs.readFileSync(file, 'utf8'), file);
    if (result.lazy.length > 0) {
      fs.writeFileSync(file, result.text);
      files++;
      lazy += result.lazy.length;
    }
  }
  process.stdout.write(`lazy-requires: ${lazy} imports in ${files} modules under ${root} now load on first use\n`);
}

main(process.argv[2] ?? 'lib');
