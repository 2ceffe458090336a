import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { spread, Spread } from './measure';
import { lazyRequires } from '../tools/lazy-requires/lazy-requires';

const REPO = path.join(__dirname, '..');
const TIME = '/usr/bin/time';

/** The package name the compiled benchmark cases load the library by, as an app does. */
const PACKAGE = 'cdk-immutable-infra';

/**
 * Compiles src/ and bench/ to JavaScript in a temporary tree, file by file with the project's
 * own compiler options and the lazy requires the package build applies to lib/ (what the
 * published package ships), so that runs load JavaScript like the peers do instead of paying
 * ts-node's compilation.
 *
 * The library goes where an app has it, `node_modules/cdk-immutable-infra/lib/`, and the cases
 * load it by name, as they load the peers. Where the code sits matters: aws-cdk-lib records a
 * creation stack trace for every CloudFormation element, rendering the frames of code outside
 * node_modules/ one by one (they are the app's own) and folding a package's frames into one
 * line. Loaded from src/, the library's frames counted as the app's and cost us about 85 million
 * instructions (3%) more at 50 images, growing with the count; the floor is the app's own code
 * and stays outside. The rest of node_modules/ and the package's assets/ are linked in.
 */
export function compileTree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-js-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(REPO, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  // The package is CommonJS: node16 would emit the same, but transpiling one file at a time
  // cannot know the package type.
  const options: ts.CompilerOptions = { ...parsed!.options, module: ts.ModuleKind.CommonJS, noEmit: false, declaration: false };
  const packageDir = path.join(root, 'node_modules', PACKAGE);
  const outDirs: Record<string, string> = { src: path.join(packageDir, 'lib'), bench: path.join(root, 'bench') };
  for (const [dir, outDir] of Object.entries(outDirs)) {
    for (const rel of fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[]) {
      if (!rel.endsWith('.ts') || rel.endsWith('.d.ts') || rel.startsWith('results')) {
        continue;
      }
      const file = path.join(REPO, dir, rel);
      const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText;
      fs.writeFileSync(out, dir === 'src' ? lazyRequires(js, out).text : js.replace(/require\("\.\.\/src"\)/g, `require("${PACKAGE}")`));
    }
  }
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(packageDir, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'assets'), path.join(packageDir, 'assets'), 'dir');
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (entry !== PACKAGE) {
      fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(root, 'node_modules', entry));
    }
  }
  return root;
}

/** The benchmark cases as compiled into `root`: the library they build with is the package's. */
export function compiledCases(root: string): typeof import('./cases') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(root, 'bench', 'cases.js')) as typeof import('./cases');
}

/** What one whole-process synthesis reports. */
export interface ColdSample {
  /** Spawn to exit, as the parent sees it. */
  readonly wallMs: number;
  /** Node start-up and module loading, up to the first construct. */
  readonly loadMs: number;
  readonly synthMs: number;
  readonly validatorCalls: number;
  readonly validatorMs: number;
  /** Peak resident set size of the process. */
  readonly maxRssBytes: number;
}

export function hasGnuTime(): boolean {
  return fs.existsSync(TIME);
}

/** How to spawn bench/cold-child.js: its arguments after `node`, and its environment. */
export interface ColdChild {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * One whole-process synthesis of a case: bench/cold-child.js's arguments (after `node`), and
 * an environment with aws-cdk-lib's validation on or off and without this process's ts-node.
 */
export function coldChild(root: string, caseId: string, count: number, validation: boolean): ColdChild {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false', JSII_DEPRECATED: 'quiet' };
  delete env.TS_NODE_PROJECT;
  delete env.TS_NODE_TRANSPILE_ONLY;
  delete env.NODE_OPTIONS;
  return { args: [path.join(root, 'bench', 'cold-child.js'), caseId, String(count)], env };
}

/** Runs bench/cold-child.js once for a case, with aws-cdk-lib's validation on or off. */
export function coldRun(root: string, caseId: string, count: number, validation: boolean): ColdSample {
  const rssFile = path.join(root, `rss-${process.pid}.txt`);
  const { args: childArgs, env } = coldChild(root, caseId, count, validation);
  const node = [process.execPath, ...childArgs];
  const [command, ...args] = hasGnuTime() ? [TIME, '-f', '%M', '-o', rssFile, ...node] : node;
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${caseId} x${count} (validation ${validation ? 'on' : 'off'}) failed with ${result.status}: ${result.stderr}`);
  }
  const lines = result.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]) as Omit<ColdSample, 'wallMs'>;
  // GNU time reports the peak RSS in kilobytes.
  const maxRssBytes = hasGnuTime() ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024 : report.maxRssBytes;
  return { ...report, wallMs, maxRssBytes };
}

/** A case at a count, as run in child processes. */
export interface ColdCase {
  readonly key: string;
  readonly caseId: string;
  readonly count: number;
}

/**
 * Runs every case `runs` times, each time with validation on and off, interleaved: each round
 * visits every case once, in an order that rotates from round to round.
 */
export function coldRuns(root: string, cases: ColdCase[], runs: number, log: (line: string) => void): Record<'on' | 'off', Record<string, Record<keyof ColdSample, Spread>>> {
  // Untimed: every case once with validation off, and the validator once, so that the first
  // timed round does not read from a cold disk cache.
  cases.forEach(c => coldRun(root, c.caseId, c.count, false));
  coldRun(root, cases[0].caseId, cases[0].count, true);
  const samples: Record<string, ColdSample[]> = {};
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length];
      // Alternate which mode goes first, so neither always runs on a just-warmed disk cache.
      const modes = (round + k) % 2 ? [true, false] : [false, true];
      for (const validation of modes) {
        const key = `${validation ? 'on' : 'off'}|${c.key}`;
        (samples[key] ??= []).push(coldRun(root, c.caseId, c.count, validation));
      }
    }
    log(`  cold round ${round + 1}/${runs} done`);
  }
  const out: Record<'on' | 'off', Record<string, Record<keyof ColdSample, Spread>>> = { on: {}, off: {} };
  for (const [key, list] of Object.entries(samples)) {
    const [mode, caseKey] = key.split('|') as ['on' | 'off', string];
    const fields = Object.keys(list[0]) as (keyof ColdSample)[];
    out[mode][caseKey] = Object.fromEntries(fields.map(f => [f, spread(list.map(s => s[f]))])) as Record<keyof ColdSample, Spread>;
  }
  return out;
}
