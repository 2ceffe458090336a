import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { copyProject, REPO, runInProject, synthesiseExampleApp, SynthesisedExampleApp } from './example-app';

/*
 * The same app gives byte-identical templates and asset manifests (asset hashes included):
 * synthesised twice in one process, and synthesised from a copy of the project at another
 * absolute path, from another working directory, in a separate process. Anything that hashes
 * or embeds an absolute path, a temporary directory, a time or a token's text shows up here.
 */

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
  copyProject(copy);
  const outdir = path.join(root, 'out');
  runInProject(copy, path.join(root, 'elsewhere'), [
    "const { App } = require('aws-cdk-lib');",
    "const { buildExampleApp } = require('./examples/golden-web');",
    'const app = new App({ outdir: process.argv[2], builtinCloudFormationValidation: false });',
    'buildExampleApp(app);',
    'app.synth();',
  ], [outdir]);
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
