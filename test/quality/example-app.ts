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

/** A stack's template file, byte for byte. */
export function templateText(assembly: CloudAssembly, stack: Stack): string {
  return fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf-8');
}

/** `[name, stack]` rows for `test.each`, so each stack is its own test. */
export function stackRows(stacks: readonly Stack[]): Array<[string, Stack]> {
  return stacks.map(stack => [stack.node.path, stack]);
}
