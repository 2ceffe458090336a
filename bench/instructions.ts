import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALPHA, FLOOR, OURS, SCALED_CASES, TEMPLATE_FLOOR } from './cases';
import { coldChild, ColdCase, compiledCases, compileTree } from './cold';
import { spread, Spread } from './measure';
import { caseKey, CaseKey } from './results';
import { templateDifference } from './template-floor';

/**
 * Instructions one whole-process synthesis executes (bench/cold-child.js, validation off),
 * counted under valgrind two ways:
 *
 * - **All threads, V8 single-threaded**: cachegrind on a V8 that does all its work on the main
 *   thread in a repeatable order (`--single-threaded --predictable`: no concurrent compiler or
 *   garbage collector, no timers). The count repeats to within 0.1% from run to run whatever
 *   else the machine does, where wall times on this machine spread by 10% or more. It counts
 *   the optimising compiler's work (about a fifth of the total at 50 images), which a normal
 *   run does on another core.
 * - **Main thread, V8 as normal**: callgrind with a count per thread, on V8's default flags. The
 *   main thread is the one a synthesis waits for, so this is the closer proxy for wall time. Two
 *   counts of a case usually agree within 2% and now and then differ by 6% (the background
 *   threads finish at different points), so each case is counted three times and the median kept.
 *
 * Either way every instruction weighs alike. Each run takes 15 to 60 seconds under valgrind.
 */
export interface InstructionFigures {
  /** Millions of instructions, start to exit: the median where a case was counted more than once. */
  readonly millions: number;
  /** Every count of the case, in millions. */
  readonly spread: Spread;
  readonly ratioToFloor: number;
  /** To @aws-cdk/aws-imagebuilder-alpha with the same number of images. */
  readonly ratioToAlpha: number;
  /** To our template written by hand with L1 classes, with the same number of images. */
  readonly ratioToTemplateFloor: number;
}

export type InstructionResults =
  | {
    /** All threads, V8 single-threaded and predictable: repeats to 0.1%. */
    readonly tool: string;
    readonly counts: Record<CaseKey, InstructionFigures>;
    /** The main thread alone, V8 with its default flags: medians of several counts, which usually agree within 2%. */
    readonly mainThreadTool: string;
    readonly mainThread: Record<CaseKey, InstructionFigures>;
    /** Where the template floor's template differs from ours, if it does: its figures then compare unlike things. */
    readonly templateFloorDifference?: string;
  }
  | { readonly skipped: string };

/** The cases counted: us, the floor and the alpha, and our template by hand, at each count. */
export function instructionCases(counts: number[]): ColdCase[] {
  return [...SCALED_CASES, TEMPLATE_FLOOR].flatMap(c => counts.map(n => ({ key: caseKey(c.id, n), caseId: c.id, count: n })));
}

/** How one way of counting runs valgrind, and reads the count it wants from the run. */
interface Counter {
  readonly name: string;
  /** Counts per case: the median is reported. */
  readonly repeats: number;
  readonly valgrindArgs: (outFile: string) => string[];
  readonly nodeFlags: string[];
  /** Millions of instructions, from valgrind's standard error and its output file. */
  readonly read: (stderr: string, outFile: string) => number | undefined;
}

const ALL_THREADS: Counter = {
  name: 'all threads',
  repeats: 1,
  valgrindArgs: () => ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file'],
  nodeFlags: ['--single-threaded', '--predictable'],
  // "==123== I   refs:      1,566,201,234"
  read: stderr => {
    const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
    return match ? Number(match[1].replace(/,/g, '')) / 1e6 : undefined;
  },
};

const MAIN_THREAD: Counter = {
  name: 'main thread',
  // Two counts of a case at 50 images usually agree within 2%, and now and then differ by 6%.
  repeats: 3,
  valgrindArgs: outFile => ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, '--smc-check=all-non-file'],
  nodeFlags: [],
  // With a file per thread, callgrind writes thread 1 (Node's main thread) to <file>-01, which
  // says "summary: <instructions>" before its functions.
  read: (_stderr, outFile) => {
    const first = `${outFile}-01`;
    const match = fs.existsSync(first) ? /^summary:\s+(\d+)/m.exec(fs.readFileSync(first, 'utf8')) : null;
    return match ? Number(match[1]) / 1e6 : undefined;
  },
};

/** Counts each case's instructions both ways, as many at once as the machine has cores (the counts do not depend on it). */
export async function countInstructions(root: string, counts: number[], log: (line: string) => void): Promise<InstructionResults> {
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (valgrind.error || valgrind.status !== 0) {
    return { skipped: 'valgrind is not installed (apt-get install valgrind)' };
  }
  // The compiled cases, as the child processes run them.
  const compiled = compiledCases(root);
  const templateFloorDifference = templateDifference(compiled.caseById(OURS.id).load(), compiled.caseById(TEMPLATE_FLOOR.id).load());
  const cases = instructionCases(counts);
  const tool = (counter: Counter) => `${valgrind.stdout.trim()} ${counter.valgrindArgs('<file>').join(' ')}, node ${counter.nodeFlags.join(' ') || 'with its default flags'}`;
  return {
    tool: tool(ALL_THREADS),
    counts: await countAll(root, cases, ALL_THREADS, log),
    mainThreadTool: tool(MAIN_THREAD),
    mainThread: await countAll(root, cases, MAIN_THREAD, log),
    templateFloorDifference,
  };
}

async function countAll(
  root: string, cases: ColdCase[], counter: Counter, log: (line: string) => void,
): Promise<Record<CaseKey, InstructionFigures>> {
  const runs: Record<CaseKey, number[]> = Object.fromEntries(cases.map(c => [c.key, []]));
  // Repeats go round the cases, so whatever else the machine does falls on every case alike.
  const queue = Array.from({ length: counter.repeats }, () => cases).flat();
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const millions = await countOne(root, c, counter);
      runs[c.key].push(millions);
      log(`  ${c.key}, ${counter.name}: ${millions.toFixed(1)} million instructions`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  const spreads: Record<CaseKey, Spread> = Object.fromEntries(cases.map(c => [c.key, spread(runs[c.key])]));
  const figures: Record<CaseKey, InstructionFigures> = {};
  for (const c of cases) {
    const to = (id: string) => spreads[c.key].median / spreads[caseKey(id, c.count)].median;
    figures[c.key] = {
      millions: spreads[c.key].median,
      spread: spreads[c.key],
      ratioToFloor: to(FLOOR.id),
      ratioToAlpha: to(ALPHA.id),
      ratioToTemplateFloor: to(TEMPLATE_FLOOR.id),
    };
  }
  return figures;
}

function countOne(root: string, c: ColdCase, counter: Counter): Promise<number> {
  const child = coldChild(root, c.caseId, c.count, false);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-valgrind-'));
  const outFile = path.join(outDir, 'out');
  const args = [...counter.valgrindArgs(outFile), process.execPath, ...counter.nodeFlags, ...child.args];
  return new Promise<number>((resolve, reject) => {
    const valgrind = spawn('valgrind', args, { env: child.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    valgrind.stderr.on('data', (chunk: Buffer) => stderr += chunk.toString());
    valgrind.on('error', reject);
    valgrind.on('close', status => {
      const millions = status === 0 ? counter.read(stderr, outFile) : undefined;
      if (millions === undefined) {
        reject(new Error(`${c.key} under valgrind (${counter.name}) exited with ${status}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(millions);
    });
  }).finally(() => fs.rmSync(outDir, { recursive: true, force: true }));
}

/** The instruction tables: us, the floor, the alpha and our template by hand at each count, counted both ways. */
export function instructionsMarkdown(r: InstructionResults, counts: number[]): string[] {
  const out = ['## Instructions per synthesis', ''];
  if ('skipped' in r) {
    return [...out, `Not measured in this run: ${r.skipped}.`, ''];
  }
  out.push(
    'Whole process, validation off: millions of instructions from start to exit, under valgrind. Every instruction weighs alike.',
    '',
    `**Main thread, V8 as normal**, counted by ${r.mainThreadTool}. `
      + 'The thread a synthesis waits for; the optimising compiler and most of the garbage collector work on other threads, as in any run. '
      + `Each case counted ${MAIN_THREAD.repeats} times, round the cases: the median, with the lowest and highest count. Two counts of a case usually agree within 2%, and now and then differ by 6%.`,
    '',
    ...instructionTable(r.mainThread, counts),
    '',
    `**All threads, V8 single-threaded**, counted by ${r.tool}. `
      + 'A case repeats to within 0.1% whatever the load, so these ratios hold where the timings above overlap. '
      + 'They include the optimising compiler\'s work, which a normal run does on another core.',
    '',
    ...instructionTable(r.counts, counts),
    '',
    'Our template by hand (bench/template-floor.ts) writes the template we synthesise with L1 classes at our construct paths: '
      + 'its cost over the floor is the price of what the template holds, ours over it the price of the library\'s own work. '
      + (r.templateFloorDifference
        ? `**Its template no longer matches ours** (${r.templateFloorDifference}): update bench/template-floor.ts before reading that column.`
        : 'In this run it synthesised the same template as ours for two images, component and recipe versions aside.'),
    '',
  );
  return out;
}

function instructionTable(figures: Record<CaseKey, InstructionFigures>, counts: number[]): string[] {
  const rows = [
    '| case | images | millions of instructions | ratio to the floor | ratio to the alpha | ratio to our template by hand |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const millions = (f: InstructionFigures) => f.spread.runs > 1
    ? `${f.millions.toFixed(0)} (${f.spread.min.toFixed(0)}–${f.spread.max.toFixed(0)})`
    : f.millions.toFixed(0);
  for (const n of counts) {
    for (const c of [...SCALED_CASES, TEMPLATE_FLOOR]) {
      const f = figures[caseKey(c.id, n)];
      rows.push(`| ${c.label} | ${n} | ${millions(f)} | ${f.ratioToFloor.toFixed(3)}× | ${f.ratioToAlpha.toFixed(3)}× | ${f.ratioToTemplateFloor.toFixed(3)}× |`);
    }
  }
  return rows;
}

/**
 * Writes bench/results/instructions.json and instructions.md, and returns the Markdown: from
 * `npx projen bench:instructions`, and from `npm run bench`, which counts the same.
 */
export function writeInstructionResults(results: InstructionResults, counts: number[], command: string): string {
  const date = new Date().toISOString();
  const md = ['# Instructions per synthesis', '', `\`${command}\`, ${date}.`, '', ...instructionsMarkdown(results, counts).slice(2)].join('\n');
  const out = path.join(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'instructions.json'), JSON.stringify({ date, ...results }, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'instructions.md'), md);
  return md;
}

/** `npx projen bench:instructions`: the instruction counts alone, in about ten minutes; writes bench/results/instructions.json. */
async function main(): Promise<void> {
  const counts = [1, 10, 50];
  const root = compileTree();
  process.env.CDK_VALIDATION = 'false';
  const results = await countInstructions(root, counts, line => process.stderr.write(`${line}\n`));
  if ('skipped' in results) {
    process.stderr.write(`${results.skipped}\n`);
    process.exit(1);
  }
  const md = writeInstructionResults(results, counts, 'npx projen bench:instructions');
  process.stdout.write(md);
}

if (require.main === module) {
  main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
