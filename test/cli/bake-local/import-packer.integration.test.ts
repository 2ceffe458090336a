import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { bakeAndKeep, IS_ROOT, mountsMentioning, NOT_ROOT_REASON, requireCli, runCliProcess, TEST_ROOT_CACHE } from './cli-process';

/*
 * A Packer template imported and baked for real: the shipped command line's import-packer turns
 * a small Debian 12 template (test/cli/import-packer/fixtures/debian-web) into TypeScript, the
 * generated construct is synthesised into a cloud assembly, and bake-local runs that image on
 * the debootstrap root of Debian 12 (the cache the other bake-local integration tests keep). The
 * kept root must hold what the template's provisioners make, in the template's order. Needs
 * root; skipped, saying so, elsewhere.
 */
const suite = IS_ROOT ? describe : describe.skip;
const MINUTES = 60_000;
const REPO = path.join(__dirname, '..', '..', '..');
const TEMPLATE = path.join(REPO, 'test', 'cli', 'import-packer', 'fixtures', 'debian-web', 'debian-web.pkr.hcl');

suite(IS_ROOT ? 'an imported Packer template baked on a real Debian 12 root' : `an imported Packer template baked on a real Debian 12 root (${NOT_ROOT_REASON})`, () => {
  let work: string;
  beforeAll(() => {
    requireCli();
    // Inside the repository, so the generated TypeScript is compiled by jest and finds aws-cdk-lib and constructs.
    fs.mkdirSync(path.join(REPO, '.tmp'), { recursive: true });
    work = fs.mkdtempSync(path.join(REPO, '.tmp', 'import-packer-bake-'));
    // The library as the generated code imports it.
    const shim = path.join(work, 'node_modules', 'cdk-immutable-infra');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'index'))});\n`);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('import-packer writes the construct, it synthesises, and bake-local leaves what the provisioners made in the root', async () => {
    const out = path.join(work, 'debian-web-images.ts');
    const imported = await runCliProcess(['import-packer', TEMPLATE, '--out', out, '--json'], { timeoutMs: 2 * MINUTES });
    if (imported.code !== 0) {
      throw new Error(`import-packer exited ${imported.code}:\n${imported.stderr}\n${imported.stdout}`);
    }
    type Counts = { mapped: number; approximate: number; unsupported: number };
    const report = JSON.parse(imported.stdout) as { className: string; counts: Record<string, Counts> };
    expect(report.className).toBe('DebianWebImages');
    expect(report.counts.provisioner).toEqual({ mapped: 3, approximate: 0, unsupported: 0 });

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(out) as Record<string, new (scope: Stack, id: string) => unknown>;
    const outdir = path.join(work, 'app.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Imported');
    new generated[report.className](stack, 'Images');
    app.synth();

    const kept = path.join(work, 'kept');
    const result = await bakeAndKeep(outdir, 'Imported/Images/Web', kept, 15);
    expect(result.passed).toBe(true);

    // The first shell step, with the variable's default evaluated at import.
    expect(fs.readFileSync(path.join(kept, 'opt/site/greeting.txt'), 'utf8')).toBe('baked from a Packer template\n');
    // The file step: "site/" uploads the folder's contents.
    expect(fs.readFileSync(path.join(kept, 'opt/site/index.html'), 'utf8'))
      .toBe(fs.readFileSync(path.join(path.dirname(TEMPLATE), 'site', 'index.html'), 'utf8'));
    expect(fs.existsSync(path.join(kept, 'opt/site/site'))).toBe(false);
    // The last shell step, with its environment_vars; it ran after the upload (the listing holds it).
    expect(fs.readFileSync(path.join(kept, 'etc/packer-role'), 'utf8')).toBe('role=web\n');
    expect(fs.readFileSync(path.join(kept, 'etc/packer-site-listing'), 'utf8')).toBe('greeting.txt\nindex.html\n');
    expect(mountsMentioning(TEST_ROOT_CACHE)).toEqual([]);
  }, 20 * MINUTES);
});
