import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { spread, Spread } from './measure';

const REPO = path.join(__dirname, '..');
const ASSETS = path.join(REPO, 'assets', 'handlers');
const SOURCES = path.join(REPO, 'src', 'handlers');

export interface HandlerFigures {
  /** Handler folder under assets/handlers/, e.g. release-controller/on-event.lambda. */
  readonly bytes: number;
  /** Wall time of `node -e "require(bundle)"`. */
  readonly importMs: Spread;
  /** Median import time over the median of `node -e ""` measured in the same rounds. */
  readonly overBaselineMs: number;
}

export interface HandlerResults {
  readonly baselineMs: Spread;
  readonly handlers: Record<string, HandlerFigures>;
  /** The bundles were older than the newest handler source when measured. */
  readonly staleBundles: boolean;
  readonly bundledNow: boolean;
}

function bundles(): Record<string, string> {
  const found: Record<string, string> = {};
  if (fs.existsSync(ASSETS)) {
    for (const rel of fs.readdirSync(ASSETS, { recursive: true }) as string[]) {
      if (path.basename(rel) === 'index.js') {
        found[path.dirname(rel)] = path.join(ASSETS, rel);
      }
    }
  }
  return found;
}

/** Newest handler source (the projen-generated *-function.ts construct files are not bundled). */
function newestSourceMtime(): number {
  return Math.max(...(fs.readdirSync(SOURCES, { recursive: true }) as string[])
    .filter(rel => rel.endsWith('.ts') && !rel.endsWith('-function.ts'))
    .map(rel => fs.statSync(path.join(SOURCES, rel)).mtimeMs));
}

function nodeWallMs(script: string): number {
  const start = process.hrtime.bigint();
  // What Lambda sets before it loads a handler; a module-scope SDK client reads it.
  const result = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`node -e ${JSON.stringify(script)} failed: ${result.stderr}`);
  }
  return ms;
}

/**
 * The road not taken, measured beside the shipped bundles: each handler bundled with the AWS SDK
 * left to the Lambda runtime's own copy (`--external:@aws-sdk/*`), built into .tmp/ so that the
 * SDK resolves from this repository's node_modules as it would from the runtime's.
 */
function sdkExternalVariants(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const outfile = path.join(REPO, '.tmp', 'bench-handlers', name, 'index.js');
    const result = spawnSync('npx', ['esbuild', '--bundle', path.join(SOURCES, `${name}.ts`), '--target=node24', '--platform=node',
      `--outfile=${outfile}`, '--tsconfig=tsconfig.dev.json', '--minify', '--external:@aws-sdk/*', '--log-level=error'], { cwd: REPO, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`esbuild of ${name} with the SDK external failed: ${result.stderr}`);
    }
    out[`${name} (SDK external, not shipped)`] = outfile;
  }
  return out;
}

/**
 * Bundled size of every Lambda handler and its cold import time in a fresh Node process, over
 * an empty `node -e ""` measured in the same interleaved rounds. Bundles come from
 * `npx projen bundle`, run here only when none exist.
 */
export function measureHandlers(runs: number): HandlerResults {
  let found = bundles();
  let bundledNow = false;
  if (Object.keys(found).length === 0) {
    const result = spawnSync('npx', ['projen', 'bundle'], { cwd: REPO, stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error('npx projen bundle failed');
    }
    found = bundles();
    bundledNow = true;
  }
  const variants = { ...found, ...sdkExternalVariants(Object.keys(found)) };
  const names = ['', ...Object.keys(variants)];
  const scripts = names.map(n => (n ? `require(${JSON.stringify(variants[n])})` : ''));
  const samples: number[][] = names.map(() => []);
  for (let i = 0; i < 2; i++) {
    scripts.forEach(s => nodeWallMs(s));
  }
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const j = (round + k) % names.length;
      samples[j].push(nodeWallMs(scripts[j]));
    }
  }
  const baselineMs = spread(samples[0]);
  const handlers: Record<string, HandlerFigures> = {};
  names.slice(1).forEach((name, i) => {
    const importMs = spread(samples[i + 1]);
    handlers[name] = { bytes: fs.statSync(variants[name]).size, importMs, overBaselineMs: importMs.median - baselineMs.median };
  });
  const oldestBundle = Math.min(...Object.values(found).map(f => fs.statSync(f).mtimeMs));
  return { baselineMs, handlers, staleBundles: oldestBundle < newestSourceMtime(), bundledNow };
}
