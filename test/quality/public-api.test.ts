import * as fs from 'fs';
import * as path from 'path';

const REPO = path.join(__dirname, '..', '..');

/** The classes and enums jsii publishes: the only values the package's entry point may export. */
function jsiiValues(): string[] {
  const assembly = JSON.parse(fs.readFileSync(path.join(REPO, '.jsii'), 'utf-8')) as { types: Record<string, { name: string; kind: string }> };
  return Object.values(assembly.types).filter(t => t.kind !== 'interface').map(t => t.name).sort();
}

test('the index names what it exports: no `export *`, so an internal helper added to a module stays internal', () => {
  const index = fs.readFileSync(path.join(REPO, 'src', 'index.ts'), 'utf-8');
  expect(index.split('\n').filter(line => /^export \*/.test(line))).toEqual([]);
});

test('the package exports exactly the classes and enums of its jsii API, and no internal function or constant', () => {
  const main = path.join(REPO, 'lib', 'index.js');
  if (!fs.existsSync(main) || !fs.existsSync(path.join(REPO, '.jsii'))) {
    throw new Error('lib/index.js or .jsii is missing: the library is compiled by `npx projen compile` (or `npm test`)');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = Object.keys(require(main)).sort();
  expect(exported).toEqual(jsiiValues());
});
