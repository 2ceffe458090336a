import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesiseExampleApp, SynthesisedExampleApp } from './example-app';

/*
 * The same app gives byte-identical templates and asset manifests (asset hashes included):
 * synthesised twice in one process, and synthesised from a copy of the project at another
 * absolute path, from another working directory, in a separate process. Anything that hashes
 * or embeds an absolute path, a temporary directory, a time or a token's text shows up here.
 */
const REPO = path.join(__dirname, '..', '..');
/** What the example app reads at synth: the library, the example and its site, the Lambda bundles. */
const PROJECT_PARTS = ['src', 'examples', 'assets', 'package.json', 'tsconfig.json', 'tsconfig.dev.json'];

/** Template and asset manifest of every stack, by file name, read byte for byte. */
function outputs(directory: string): Map<string, string> {
  const files = fs.readdirSync(directory).filter(f => f.endsWith('.template.json') || f.endsWith('.assets.json')).sort();
  return new Map(files.map(f => [f, fs.readFileSync(path.join(directory, f), 'utf-8')]));
}

/** The staged asset directories and files (`asset.<hash>`), whose names are the asset hashes. */
function stagedAssets(directory: string): string[] {
  return fs.readdirSync(directory).filter(f => f.startsWith('asset.')).sort();
}

/** Copies the project to a new absolute path and synthesises the example there, in a child process with another cwd. */
function synthesiseElsewhere(root: string): string {
  const copy = path.join(root, 'elsewhere', 'project');
  for (const part of PROJECT_PARTS) {
    if (fs.existsSync(path.join(REPO, part))) {
      fs.cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true });
    }
  }
  // Modules resolve from the copy's own node_modules, as on a machine where the project lives there.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const outdir = path.join(root, 'out');
  const script = path.join(copy, 'synth-example.js');
  fs.writeFileSync(script, [
    "const { App } = require('aws-cdk-lib');",
    "const { buildExampleApp } = require('./examples/golden-web');",
    'const app = new App({ outdir: process.argv[2], builtinCloudFormationValidation: false });',
    'buildExampleApp(app);',
    'app.synth();',
  ].join('\n'));
  const cwd = path.join(root, 'elsewhere');
  execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), script, outdir], {
    cwd,
    env: { ...process.env, TS_NODE_PROJECT: path.join(copy, 'tsconfig.dev.json'), CDK_DISABLE_CLI_TELEMETRY: 'true' },
    stdio: 'pipe',
  });
  return outdir;
}

describe('deterministic synthesis of the example app', () => {
  let first: SynthesisedExampleApp;
  let root: string;

  beforeAll(() => {
    first = synthesiseExampleApp();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('every stack has a template to compare', () => {
    const files = [...outputs(first.assembly.directory).keys()];
    for (const stack of first.stacks) {
      expect(files).toContain(stack.templateFile);
    }
  });

  test('twice in one process: byte-identical templates, asset manifests and staged assets', () => {
    const second = synthesiseExampleApp();
    expect(second.assembly.directory).not.toBe(first.assembly.directory);
    expect(outputs(second.assembly.directory)).toEqual(outputs(first.assembly.directory));
    expect(stagedAssets(second.assembly.directory)).toEqual(stagedAssets(first.assembly.directory));
  });

  test('from a copy of the project at another path and another working directory: byte-identical', () => {
    const elsewhere = synthesiseElsewhere(root);
    expect(path.relative(REPO, elsewhere).startsWith('..')).toBe(true);
    expect(outputs(elsewhere)).toEqual(outputs(first.assembly.directory));
    expect(stagedAssets(elsewhere)).toEqual(stagedAssets(first.assembly.directory));
  });
});
