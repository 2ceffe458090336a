import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { cleanNpmEnvironment, PackedLibrary, packLibrary, REPO } from './packed-library';

/*
 * What `npm publish` would ship, packed from the working tree: only what a consumer's app loads.
 * The expected file list is derived from the sources, so a new source file is expected without
 * editing this test, and anything else (a synthesised cdk.out/, compiled handler sources that
 * require devDependencies, a stray tarball) fails it.
 */

/** Files outside lib/, assets/ and the bundled dependencies that the package carries. */
const ROOT_FILES = ['package.json', 'README.md', 'LICENSE', 'API.md', '.jsii'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap(entry => {
    const relative = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(relative) : [relative];
  });
}

/**
 * Compiled library modules (declarations and source maps included), the handler bundles and the command line's
 * bundle. Handlers reach consumers only as bundles in assets/; of src/handlers/ only the
 * projen-generated `*-function.ts` Lambda constructs are library code. The command line ships
 * as esbuild bundles (package.json `bin`, and the SDK clients of vagrant-box beside it), never as
 * compiled modules in lib/cli/.
 */
/** The command line's bundles: the CLI, and vagrant-box's AWS SDK clients, which it requires by path when used. */
const CLI_BUNDLES = ['src/cli/cdk-immutable-infra.ts', 'src/cli/vagrant-box/aws-clients.ts'];

function expectedLibraryFiles(): string[] {
  const sources = sourceFiles('src').filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const library = sources
    .filter(f => !f.startsWith('src/cli/'))
    .filter(f => !f.startsWith('src/handlers/') || f.endsWith('-function.ts'))
    .flatMap(f => {
      const base = f.replace(/^src\//, 'lib/').replace(/\.ts$/, '');
      // Source maps sit beside the modules (tsconfig.json sourceMap), not inline in them.
      return [`${base}.js`, `${base}.js.map`, `${base}.d.ts`];
    });
  const bundles = sources
    .filter(f => f.endsWith('.lambda.ts') || CLI_BUNDLES.includes(f))
    .map(f => f.replace(/^src\//, 'assets/').replace(/\.ts$/, '/index.js'));
  return [...library, ...bundles];
}

/** The module a `require` of `specifier` from `from` loads, inside the package, or undefined. */
function resolveInPackage(files: Set<string>, from: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return [base, `${base}.js`, `${base}.json`, `${base}/index.js`].find(candidate => files.has(candidate));
}

/** The package a bare specifier names: `yaml`, `aws-cdk-lib` of `aws-cdk-lib/aws-ec2`, `@scope/name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages and, transitively, their runtime dependencies, as installed in the repository. */
function withDependencies(packages: readonly string[]): string[] {
  const all = new Set<string>();
  const queue = [...packages];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (all.has(name)) continue;
    all.add(name);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf-8'));
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...all];
}

describe('the packed npm package', () => {
  let workdir: string;
  let packed: PackedLibrary;

  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-immutable-infra-pack-'));
    packed = packLibrary(workdir);
  }, 120_000);

  afterAll(() => {
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  test('holds exactly the compiled library, the handler bundles, the bundled dependencies and the docs', () => {
    // Bundled dependencies come with their own dependencies (the HCL parser's fs-extra...).
    const bundled = withDependencies(packed.manifest.bundledDependencies ?? []);
    const inBundledDependency = (f: string) => bundled.some(dep => f.startsWith(`node_modules/${dep}/`));
    const expected = [...ROOT_FILES, ...expectedLibraryFiles()].sort();

    const stray = packed.files.filter(f => !expected.includes(f) && !inBundledDependency(f));
    const missing = expected.filter(f => !packed.files.includes(f));
    expect({ stray, missing }).toEqual({ stray: [], missing: [] });
    // The README tells users to load the Jest serializer by this path.
    expect(packed.files).toContain('lib/snapshot/jest-serializer.js');
    for (const dep of packed.manifest.bundledDependencies ?? []) {
      expect(packed.files).toContain(`node_modules/${dep}/package.json`);
    }
  });

  test('the command line finds the HCL parser it loads lazily (with its WebAssembly) in the package', () => {
    const cli = fs.readFileSync(path.join(packed.root, 'assets/cli/cdk-immutable-infra/index.js'), 'utf-8');
    // Left out of the esbuild bundle: its wasm is read from its own folder at run time.
    expect(cli).toMatch(/require\(["']@cdktn\/hcl2json["']\)/);
    expect(packed.files).toContain('node_modules/@cdktn/hcl2json/main.wasm.gz');
    expect(require.resolve('@cdktn/hcl2json', { paths: [path.join(packed.root, 'assets/cli/cdk-immutable-infra')] }))
      .toBe(path.join(packed.root, 'node_modules/@cdktn/hcl2json/build/index.js'));
  });

  test('the command line loads vagrant-box\'s SDK clients from their own bundle in the package', () => {
    const cli = fs.readFileSync(path.join(packed.root, 'assets/cli/cdk-immutable-infra/index.js'), 'utf-8');
    // Not inside the CLI's bundle (every command would pay to parse them) ...
    expect(cli).not.toContain('AmazonSSM');
    // ... but loaded by it when used: the shipped CLI reaches the SDK (refused connection to a
    // closed local port), not a missing module.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-clients-'));
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(packed.root, 'assets/cli/cdk-immutable-infra/index.js'), 'vagrant-box', '--provider', 'aws',
        '--from-ssm', '/golden/web/latest', '--regions', 'eu-west-1', '--out', path.join(out, 'web.box')], {
        encoding: 'utf-8',
        stdio: 'pipe',
        env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
      });
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    expect(stderr).toContain('--from-ssm /golden/web/latest in eu-west-1: Error: connect ECONNREFUSED 127.0.0.1:9');
  });

  test('every require reachable from the main module resolves inside the package or to a declared dependency or peer', () => {
    const files = new Set(packed.files);
    const declared = new Set([...Object.keys(packed.manifest.dependencies ?? {}), ...Object.keys(packed.manifest.peerDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const main = path.posix.normalize(packed.manifest.main);
    const unresolved: string[] = [];
    const external = new Set<string>();
    const seen = new Set<string>([main]);
    const queue = [main];
    while (queue.length > 0) {
      const file = queue.shift()!;
      const source = fs.readFileSync(path.join(packed.root, file), 'utf-8');
      for (const [, specifier] of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
        if (specifier.startsWith('.')) {
          const target = resolveInPackage(files, file, specifier);
          if (!target) {
            unresolved.push(`${file}: require('${specifier}') is not in the package`);
          } else if (!seen.has(target)) {
            seen.add(target);
            queue.push(target);
          }
        } else if (builtins.has(specifier.replace(/^node:/, ''))) {
          continue;
        } else if (!declared.has(packageName(specifier))) {
          unresolved.push(`${file}: require('${specifier}') names ${packageName(specifier)}, which is not a dependency or peer`);
        } else {
          external.add(specifier);
        }
      }
    }
    // Bundled dependencies resolve from the package's own node_modules; peers from the app's
    // (here, the repository's dev copy of each peer, which has the same module paths).
    for (const specifier of external) {
      const from = (packed.manifest.bundledDependencies ?? []).includes(packageName(specifier)) ? packed.root : REPO;
      try {
        require.resolve(specifier, { paths: [from] });
      } catch {
        unresolved.push(`require('${specifier}') does not resolve from ${from === REPO ? 'the peer dependencies' : 'the bundled dependencies'}`);
      }
    }
    expect(unresolved).toEqual([]);
    // The walk reached the whole library, the Lambda constructs among it.
    expect([...seen].filter(f => f.startsWith('lib/handlers/')).sort()).toEqual(
      packed.files.filter(f => f.startsWith('lib/handlers/') && f.endsWith('.js')));
  });

  test('loads in an app that has only its peers, and stages the bundled handlers', () => {
    const app = path.join(workdir, 'consumer');
    const modules = path.join(app, 'node_modules');
    fs.cpSync(packed.root, path.join(modules, 'cdk-immutable-infra'), { recursive: true });
    for (const peer of Object.keys(packed.manifest.peerDependencies ?? {})) {
      fs.symlinkSync(path.join(REPO, 'node_modules', peer), path.join(modules, peer), 'dir');
    }
    const outdir = path.join(app, 'cdk.out');
    fs.writeFileSync(path.join(app, 'app.js'), [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const ec2 = require('aws-cdk-lib/aws-ec2');",
      "const { DeploymentImage, GoldenImage, ImmutableDeployment, ParentImage, Provisioner } = require('cdk-immutable-infra');",
      // aws-cdk-lib's template validation is not what this test is about, and takes seconds to load.
      'const app = new App({ outdir: process.argv[2], builtinCloudFormationValidation: false });',
      "const stack = new Stack(app, 'Consumer');",
      "const image = new GoldenImage(stack, 'Image', { parentImage: ParentImage.amazonLinux2023(), provisioners: [Provisioner.shell({ commands: ['dnf install -y nginx'] })] });",
      "new ImmutableDeployment(stack, 'Web', { vpc: new ec2.Vpc(stack, 'Vpc'), image: DeploymentImage.fromGoldenImage(image), instanceType: new ec2.InstanceType('t3.micro'), capacity: { min: 1, max: 2 } });",
      'app.synth();',
    ].join('\n'));
    execFileSync(process.execPath, ['app.js', outdir], { cwd: app, env: cleanNpmEnvironment({ CDK_DISABLE_CLI_TELEMETRY: 'true' }), stdio: 'pipe' });

    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Consumer.template.json'), 'utf-8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map(r => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::ImageBuilder::Component', 'AWS::ImageBuilder::Image', 'Custom::ImmutableRelease']));
    // The release controller's functions are the packed bundles, staged as the app's assets.
    const staged = fs.readdirSync(outdir).filter(f => f.startsWith('asset.'))
      .map(f => path.join(outdir, f, 'index.js')).filter(f => fs.existsSync(f)).map(f => fs.readFileSync(f, 'utf-8'));
    const bundles = packed.files.filter(f => f.startsWith('assets/handlers/')).map(f => fs.readFileSync(path.join(packed.root, f), 'utf-8'));
    expect(bundles.length).toBeGreaterThan(0);
    for (const bundle of bundles) {
      expect(staged).toContain(bundle);
    }
  }, 120_000);
});
