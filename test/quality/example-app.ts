import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildExampleApp } from '../../examples/golden-web';

/** The example app, synthesised once. */
export interface SynthesisedExampleApp {
  readonly app: App;
  /** Whatever `buildExampleApp` returns, in its order. */
  readonly stacks: readonly Stack[];
  readonly assembly: CloudAssembly;
}

/**
 * Builds and synthesises the example app into a fresh temporary directory. aws-cdk-lib's own
 * template validation (seconds per synth) is off unless `props` turns it on: the one test that
 * keeps it on is cdk-validation.test.ts. `beforeSynth` can add to the app first (plugins, aspects).
 */
export function synthesiseExampleApp(props: AppProps = {}, beforeSynth: (app: App) => void = () => undefined): SynthesisedExampleApp {
  const app = new App({ builtinCloudFormationValidation: false, ...props });
  const stacks = buildExampleApp(app);
  beforeSynth(app);
  if (stacks.length === 0) {
    throw new Error('buildExampleApp returned no stacks');
  }
  return { app, stacks, assembly: app.synth() };
}

/** The repository. */
export const REPO = path.join(__dirname, '..', '..');
/** What the example app reads at synth: the library, the example and its site, the Lambda bundles. */
const PROJECT_PARTS = ['src', 'examples', 'assets', 'package.json', 'tsconfig.json', 'tsconfig.dev.json'];

/**
 * Copies what the example app needs to synthesise to `copy`, a new absolute path; modules
 * resolve from the repository's node_modules, as on a machine where the project lives there.
 */
export function copyProject(copy: string): void {
  for (const part of PROJECT_PARTS) {
    if (fs.existsSync(path.join(REPO, part))) {
      fs.cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true });
    }
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
}

/**
 * Runs `lines` of JavaScript as a script in the project at `project` (ts-node, so it can require
 * TypeScript sources), from the working directory `cwd`, and returns its standard output.
 */
export function runInProject(project: string, cwd: string, lines: string[], args: string[] = []): string {
  const script = path.join(project, `script-${process.pid}-${Date.now()}.js`);
  fs.writeFileSync(script, lines.join('\n'));
  return execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), script, ...args], {
    cwd,
    env: { ...process.env, TS_NODE_PROJECT: path.join(project, 'tsconfig.dev.json'), CDK_DISABLE_CLI_TELEMETRY: 'true' },
    stdio: 'pipe',
    maxBuffer: 256 * 1024 * 1024,
  }).toString('utf-8');
}

/** A stack's template file, byte for byte. */
export function templateText(assembly: CloudAssembly, stack: Stack): string {
  return fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf-8');
}

/** `[name, stack]` rows for `test.each`, so each stack is its own test. */
export function stackRows(stacks: readonly Stack[]): Array<[string, Stack]> {
  return stacks.map(stack => [stack.node.path, stack]);
}
