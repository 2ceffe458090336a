import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { IConstruct } from 'constructs';
import { ToeDocument } from '../../src/provisioning/toe/component-document';

/**
 * Runs a rendered AWSTOE document's steps on this machine, the way AWSTOE would on a build
 * instance, for the actions the tests need: ExecuteBash runs its commands as one bash script,
 * S3Download copies the asset the URL names (a folder asset is zipped first, as CDK uploads it).
 */

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Name of the step that failed, if one did. */
  readonly failedStep?: string;
}

export interface RunOptions {
  /** PATH for the bash steps. @default the test process's PATH */
  readonly path?: string;
  /** Extra environment for the bash steps. */
  readonly env?: Record<string, string>;
}

/** Synthesises the app (staging the assets) and returns each asset's staged path by content hash. */
export function stagedAssets(app: App, scope: IConstruct): Map<string, string> {
  const assembly = app.synth();
  const staged = new Map<string, string>();
  for (const asset of scope.node.findAll().filter((c): c is s3assets.Asset => c instanceof s3assets.Asset)) {
    staged.set(asset.assetHash, path.join(assembly.directory, asset.assetPath));
  }
  return staged;
}

/** Zips a folder's contents (no top-level folder) keeping Unix modes, as CDK's asset publishing does. */
export function zipFolder(folder: string, zipFile: string): void {
  const script = [
    'import os, sys, zipfile',
    'root, out = sys.argv[1], sys.argv[2]',
    'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for base, dirs, files in os.walk(root):',
    '        dirs.sort()',
    '        for name in sorted(files):',
    '            full = os.path.join(base, name)',
    '            z.write(full, os.path.relpath(full, root))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, folder, zipFile], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`zipping ${folder} failed: ${result.stderr}`);
  }
}

/** Runs the document's steps in order; stops at the first failing step. */
export function runDocument(document: ToeDocument, staged: Map<string, string>, options: RunOptions = {}): RunResult {
  let stdout = '';
  let stderr = '';
  for (const step of document.phases.flatMap(p => p.steps)) {
    if (step.action === 'S3Download') {
      for (const input of step.inputs as Array<{ source: string; destination: string }>) {
        const hash = input.source.replace(/^s3:\/\/placeholder\//, '');
        const local = staged.get(hash);
        if (!local) {
          throw new Error(`no staged asset for ${input.source}`);
        }
        if (fs.statSync(local).isDirectory()) {
          zipFolder(local, input.destination);
        } else {
          fs.copyFileSync(local, input.destination);
        }
      }
    } else if (step.action === 'ExecuteBash') {
      const commands = (step.inputs as { commands: string[] }).commands;
      const result = spawnSync('bash', ['-c', commands.join('\n')], {
        encoding: 'utf8',
        env: { ...process.env, ...(options.path ? { PATH: options.path } : {}), ...options.env },
      });
      stdout += result.stdout;
      stderr += result.stderr;
      if (result.status !== 0) {
        return { status: result.status, stdout, stderr, failedStep: step.name };
      }
    } else {
      throw new Error(`the test runner does not run ${step.action} (step ${step.name})`);
    }
  }
  return { status: 0, stdout, stderr };
}

/**
 * A folder of links to the programs of this machine's PATH, leaving some out: a PATH on which
 * `unzip` (or python3) does not exist.
 */
export function pathWithout(folder: string, leaveOut: string[]): string {
  fs.mkdirSync(folder, { recursive: true });
  const seen = new Set<string>(leaveOut);
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir || !fs.existsSync(dir)) {
      continue;
    }
    for (const name of fs.readdirSync(dir)) {
      if (seen.has(name)) {
        continue;
      }
      seen.add(name);
      const full = path.join(dir, name);
      // pyenv's shims are scripts that need pyenv itself: link the real interpreter instead.
      const target = name === 'python3' ? realPython() : full;
      fs.symlinkSync(target, path.join(folder, name));
    }
  }
  return folder;
}

function realPython(): string {
  const result = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return result.stdout.trim();
}
