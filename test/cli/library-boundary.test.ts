import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/*
 * The construct library never loads the command line or its dependencies: a CDK app that
 * imports cdk-immutable-infra pays nothing for the CLI, and the CLI's dependencies (bundled into
 * its own file) need not be the library's.
 */
const REPO = path.join(__dirname, '..', '..');

/** Every source file reachable from `entry` through relative imports, and the packages they import. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (files.has(file)) {
      continue;
    }
    files.add(file);
    const source = fs.readFileSync(file, 'utf-8');
    for (const [, specifier] of source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) {
      if (!specifier.startsWith('.')) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
        continue;
      }
      const base = path.resolve(path.dirname(file), specifier);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
      if (target) {
        queue.push(target);
      }
    }
  }
  return { files, packages };
}

test('src/index.ts reaches no file of src/cli and no package of the command line', () => {
  const { files, packages } = importGraph(path.join(REPO, 'src', 'index.ts'));
  expect(files.size).toBeGreaterThan(50);
  expect([...files].filter(f => f.startsWith(path.join(REPO, 'src', 'cli')))).toEqual([]);
  expect([...packages].filter(p => p === 'commander' || p === '@cdktn/hcl2json')).toEqual([]);
  // The command line, for its part, reaches the library only through the AWSTOE model, the parent
  // image table, the shell quoting the provisioners use, the AMI name translation (import-packer),
  // how components describe themselves (bake-local's labels), and (plan) the release resource's
  // contract and timing, the controller's traffic steps and how generation ids hold their key:
  // CDK-free modules all.
  const cli = importGraph(path.join(REPO, 'src', 'cli', 'cdk-immutable-infra.ts'));
  const library = [...cli.files].filter(f => !f.startsWith(path.join(REPO, 'src', 'cli'))).map(f => path.relative(path.join(REPO, 'src'), f)).sort();
  const allowed = ['common/managed-parent-images.ts', 'provisioning/script-language.ts', 'common/os-family.ts', 'image/ami-name.ts',
    'release-contract/release-properties.ts', 'release-contract/traffic-steps.ts', 'release-contract/limits.ts', 'deployment/release-timing.ts', 'snapshot/keyed-ids.ts',
    'provisioning/component-description.ts'];
  expect(library.filter(f => !f.startsWith('provisioning/toe/') && !allowed.includes(f))).toEqual([]);
});

test('loading lib/index.js and every export loads nothing of the command line', () => {
  const main = path.join(REPO, 'lib', 'index.js');
  if (!fs.existsSync(main)) {
    throw new Error('lib/index.js is missing: the library is compiled by `npx projen compile` (or `npm test`)');
  }
  // Modules load on first use (tools/lazy-requires): reading every export loads the whole library.
  const script = `const lib = require(${JSON.stringify(main)}); Object.keys(lib).forEach(k => lib[k]); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], {
    cwd: REPO, encoding: 'utf-8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  })) as string[];
  // The index and the module of each export (their own imports load when used; static reach: the test above).
  expect(loaded.filter(f => f.startsWith(path.join(REPO, 'lib') + path.sep)).length).toBeGreaterThan(10);
  expect(loaded.filter(f => f.includes(`${path.sep}lib${path.sep}cli${path.sep}`) || f.includes(`${path.sep}assets${path.sep}cli${path.sep}`) || f.includes(`node_modules${path.sep}commander${path.sep}`) || f.includes(`${path.sep}hcl2json${path.sep}`))).toEqual([]);
});
