import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FLOOR, IMAGE_CASES, OURS, OURS_DEPLOYMENT, PEERS, SCALED_CASES } from './cases';
import { ColdCase, coldRuns, compiledCases, compileTree } from './cold';
import { measureHandlers } from './handlers';
import { countInstructions, writeInstructionResults } from './instructions';
import { findLosses } from './losses';
import { economy, Economy, interleaved, spread, SynthSample, synthOnce } from './measure';
import { markdown } from './report';
import { BenchResults, caseKey, ColdFigures, Growth, Mode, WarmFigures } from './results';
import { builtinValidationDefault, primeValidator, spyOnValidator } from './validator-spy';

/**
 * `npm run bench`: figures for the README, never a test. Writes bench/results/latest.json and
 * bench/results/latest.md, and the instruction counts alone to instructions.json and .md. About
 * 22 minutes on 2 cores with the default run counts: 7 for the whole-process runs (mostly those
 * with validation on, each of which loads the validator afresh), 10 for the instruction counts
 * under valgrind.
 */
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 20);
const COUNTS = [1, 10, 50];
const MODES: Mode[] = ['on', 'off'];

const started = Date.now();
const log = (line: string) => process.stderr.write(`[${Math.round((Date.now() - started) / 1000)} s] ${line}\n`);
const phaseSeconds: Record<string, number> = {};
let phaseStart = Date.now();
/** Closes the phase that is running and names the next one. */
function phase(done: string, next?: string): void {
  phaseSeconds[done] = Math.round((Date.now() - phaseStart) / 1000);
  phaseStart = Date.now();
  if (next) {
    log(next);
  }
}
// One peer calls a deprecated aws-cdk-lib API on every synthesis; the notices are not figures.
process.env.JSII_DEPRECATED = 'quiet';

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const validationDefault = builtinValidationDefault();
  spyOnValidator();

  // Every case runs as compiled JavaScript, with the library loaded from node_modules/ as an
  // app loads it (see compileTree), in this process as in the whole-process runs.
  const root = compileTree();
  const compiled = compiledCases(root);
  const build = Object.fromEntries([...IMAGE_CASES, OURS_DEPLOYMENT].map(c => [c.id, compiled.caseById(c.id).load()]));

  // Economy: the templates do not depend on validation, which is off here to save time.
  log('economy');
  process.env.CDK_VALIDATION = 'false';
  const images: Record<string, Record<number, Economy>> = {};
  for (const c of IMAGE_CASES) {
    images[c.id] = Object.fromEntries(COUNTS.map(n => [n, economy(build[c.id], n)]));
  }
  const deployments = Object.fromEntries(COUNTS.map(n => [n, economy(build[OURS_DEPLOYMENT.id], n)]));

  phase('economy');

  // Which cases run at which counts: us, the floor and the alpha at every count, the other peers
  // at one image. A case's counts run one after the other, so the validator's engine (built per
  // set of resource types) is rebuilt only when the case changes.
  const speedCases: ColdCase[] = [
    ...SCALED_CASES.flatMap(c => COUNTS.map(n => ({ key: caseKey(c.id, n), caseId: c.id, count: n }))),
    ...PEERS.filter(c => !SCALED_CASES.includes(c)).map(c => ({ key: caseKey(c.id, 1), caseId: c.id, count: 1 })),
  ];

  // Synth in one process (warm), interleaved, validation on (aws-cdk-lib's default) and off.
  const warmRaw: Record<Mode, Record<string, ReturnType<typeof interleaved<SynthSample>>[string]>> = { on: {}, off: {} };
  for (const mode of MODES) {
    log(`warm synth, validation ${mode}: ${WARM_RUNS} interleaved rounds of ${speedCases.length} cases`);
    process.env.CDK_VALIDATION = mode === 'on' ? 'true' : 'false';
    warmRaw[mode] = interleaved(Object.fromEntries(speedCases.map(c => [c.key, () => {
      if (mode === 'on') {
        primeValidator(images[c.caseId][c.count].resourceTypes);
      }
      return synthOnce(build[c.caseId], c.count);
    }])), WARM_RUNS);
    phase(`one process, validation ${mode}`);
  }
  delete process.env.CDK_VALIDATION;

  // Synth as whole processes (cold), on compiled JavaScript.
  log(`cold synth: ${COLD_RUNS} interleaved rounds of ${speedCases.length} cases x 2 validation modes`);
  const coldRaw = coldRuns(root, speedCases, COLD_RUNS, log);
  phase('whole processes', 'instructions: each scaled case and our template by hand under valgrind, all threads once and the main thread three times');
  process.env.CDK_VALIDATION = 'false';
  const instructions = await countInstructions(root, COUNTS, log);
  delete process.env.CDK_VALIDATION;
  phase('instructions', `handlers: ${IMPORT_RUNS} interleaved imports of each bundle`);
  const handlers = measureHandlers(IMPORT_RUNS);
  phase('handlers', 'release timeline');
  const releaseTimeline = await runReleaseTimeline();
  phase('release timeline');

  const warm = withRatios(warmRaw, s => s.ms.median) as Record<Mode, Record<string, WarmFigures>>;
  const cold = withRatios(coldRaw, s => s.wallMs.median) as Record<Mode, Record<string, ColdFigures>>;
  const growthOf = (median: (mode: Mode, key: string) => number, mode: Mode) =>
    Object.fromEntries(SCALED_CASES.map(c => [c.id, growth(COUNTS.map(n => median(mode, caseKey(c.id, n))))]));

  const results: BenchResults = {
    date: new Date().toISOString(),
    command: 'npm run bench',
    machine: {
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      awsCdkLib: awsCdkLibVersion(),
      // Other work on the machine: what interleaving spreads over every case alike.
      loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
    },
    settings: { warmRuns: WARM_RUNS, coldRuns: COLD_RUNS, importRuns: IMPORT_RUNS, counts: COUNTS },
    cases: [FLOOR, OURS, ...PEERS, OURS_DEPLOYMENT].map(c => ({ id: c.id, label: c.label, package: c.package, addsByDefault: c.addsByDefault })),
    economy: { images, deployments },
    validation: {
      defaultOn: validationDefault.appProperty && validationDefault.envVariable !== 'false',
      appProperty: validationDefault.appProperty,
      envVariable: validationDefault.envVariable,
      // Over every warm run of every case: the extremes of each case's own extremes.
      callsPerSynth: {
        on: spread(Object.values(warm.on).flatMap(f => [f.validatorCalls.min, f.validatorCalls.max])),
        off: spread(Object.values(warm.off).flatMap(f => [f.validatorCalls.min, f.validatorCalls.max])),
      },
    },
    synth: { warm, cold },
    instructions,
    // Whole processes with validation on are left out: the validator's start-up varies by
    // more than 50 images cost. Whole processes with it off count the synthesis only (no load).
    growth: {
      'one process, validation on': growthOf((mode, key) => warm[mode][key].ms.median, 'on'),
      'one process, validation off': growthOf((mode, key) => warm[mode][key].ms.median, 'off'),
      'whole process, validation off (synthesis only)': growthOf((mode, key) => cold[mode][key].synthMs.median, 'off'),
    },
    handlers,
    releaseTimeline,
    losses: { clear: [], withinNoise: [] },
  };
  const seconds = Math.round((Date.now() - started) / 1000);
  const final: BenchResults = { ...results, losses: findLosses(results), settings: { ...results.settings, seconds, phaseSeconds } };

  const out = path.join(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify(final, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'latest.md'), markdown(final));
  if (!('skipped' in instructions)) {
    writeInstructionResults(instructions, COUNTS, 'npm run bench');
  }
  process.stdout.write(markdown(final));
}

/** Adds each case's ratio to the floor with the same number of images, in the same mode. */
type WithRatio<T> = Record<Mode, Record<string, T & { ratioToFloor: number }>>;
function withRatios<T>(table: Record<Mode, Record<string, T>>, median: (figures: T) => number): WithRatio<T> {
  const out = { on: {}, off: {} } as WithRatio<T>;
  for (const mode of MODES) {
    for (const [key, figures] of Object.entries(table[mode])) {
      const count = Number(key.split('@')[1]);
      out[mode][key] = { ...figures, ratioToFloor: median(figures) / median(table[mode][caseKey(FLOOR.id, count)]) };
    }
  }
  return out;
}

function growth([at1, at10, at50]: number[]): Growth {
  const perImageMsAt10 = (at10 - at1) / 9;
  const perImageMsAt50 = (at50 - at10) / 40;
  return { perImageMsAt10, perImageMsAt50, ratio: perImageMsAt50 / perImageMsAt10 };
}

function awsCdkLibVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The release controller's timeline per traffic strategy, from bench/release-timeline.ts
 * (simulated time on the test fake, so exact). Loaded on demand and caught, so that the rest
 * of the figures are still written when it fails; the table then says why.
 */
async function runReleaseTimeline(): Promise<unknown> {
  if (!fs.existsSync(path.join(__dirname, 'release-timeline.ts'))) {
    return { error: 'bench/release-timeline.ts does not exist' };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const timeline = require('./release-timeline') as typeof import('./release-timeline');
    const figures = await timeline.releaseTimeline();
    return { ...figures, markdown: timeline.timelineMarkdown(figures) };
  } catch (err) {
    log(`release timeline FAILED: ${err instanceof Error ? err.stack : err}`);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
