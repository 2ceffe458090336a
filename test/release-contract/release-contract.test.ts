import * as fs from 'fs';
import * as path from 'path';

/*
 * The release contract is imported by the construct and bundled into the release controller's
 * Lambda: it must stay free of CDK, the AWS SDK and Node, and the handler must reach the
 * construct side only through it.
 */

const SRC = path.join(__dirname, '..', '..', 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports, resolved to a path under src/ when relative. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf-8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/g), ...text.matchAll(/\brequire\('([^']+)'\)/g)]
    .map((m) => m[1]);
  return specifiers.map((s) => (s.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), s)) : s));
}

/** 'file imports target' for every import of `files` that `allowed` refuses. */
function importsOutside(files: string[], allowed: (target: string) => boolean): string[] {
  return files.flatMap((file) => imports(file)
    .filter((target) => !allowed(target))
    .map((target) => `${path.relative(SRC, file)} imports ${target}`));
}

test('src/release-contract/ imports nothing but itself', () => {
  const files = tsFiles(path.join(SRC, 'release-contract'));
  expect(files.length).toBeGreaterThan(0);
  expect(importsOutside(files, (target) => target.startsWith('release-contract/'))).toEqual([]);
});

test('the release controller\'s handler code reaches outside its folder only into src/release-contract/', () => {
  // The projen-generated *-function.ts files are CDK constructs for the construct side, not handler code.
  const files = tsFiles(path.join(SRC, 'handlers', 'release-controller')).filter((file) => !file.endsWith('-function.ts'));
  expect(files.length).toBeGreaterThan(10);
  expect(importsOutside(files, (target) => target.startsWith('handlers/release-controller/') || target.startsWith('release-contract/')
    || target.startsWith('@aws-sdk/') || target.startsWith('node:'))).toEqual([]);
});

test('the checker sees a forbidden import', () => {
  // Guards the regular expression above: a CDK import in a contract file would be reported.
  const probe = path.join(SRC, 'release-contract', 'limits.ts');
  expect(imports(probe)).toEqual([]);
  expect([...'import { Duration } from \'aws-cdk-lib\';'.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/g)].map((m) => m[1])).toEqual(['aws-cdk-lib']);
});
