import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALPHA, FLOOR, OURS, SCALED_CASES, TEMPLATE_FLOOR } from './cases';
import { coldChild, ColdCase, compiledCases, compileTree } from './cold';
import { caseKey, CaseKey } from './results';
import { templateDifference } from './template-floor';

/**
 * Instructions one whole-process synthesis executes (bench/cold-child.js, validation off),
 * counted by valgrind's cachegrind on a V8 that does all its work on the main thread in a
 * repeatable order (`--single-threaded --predictable`: no concurrent compiler or garbage
 * collector, no timers). The count repeats to within 0.1% from run to run whatever else the
 * machine does, where wall times on this machine spread by 10% or more; so it settles a
 * comparison the timings leave within noise. It is a proxy for CPU time: it weighs every
 * instruction alike, and counts the compiling and collecting that a normal run does on other
 * threads. Each run takes 15 to 30 seconds under valgrind.
 */
export interface InstructionFigures {
  /** Millions of instructions, start to exit. */
  readonly millions: number;
  readonly ratioToFloor: number;
  /** To @aws-cdk/aws-imagebuilder-alpha with the same number of images. */
  readonly ratioToAlpha: number;
  /** To our template written by hand with L1 classes, with the same number of images. */
  readonly ratioToTemplateFloor: number;
}

export type InstructionResults =
  | {
    readonly tool: string;
    readonly counts: Record<CaseKey, InstructionFigures>;
    /** Where the template floor's template differs from ours, if it does: its figures then compare unlike things. */
    readonly templateFloorDifference?: string;
  }
  | { readonly skipped: string };

/** The cases counted: us, the floor and the alpha, and our template by hand, at each count. */
export function instructionCases(counts: number[]): ColdCase[] {
  return [...SCALED_CASES, TEMPLATE_FLOOR].flatMap(c => counts.map(n => ({ key: caseKey(c.id, n), caseId: c.id, count: n })));
}

const VALGRIND_ARGS = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file'];
const NODE_FLAGS = ['--single-threaded', '--predictable'];

/** Counts each case's instructions, as many at once as the machine has cores (the counts do not depend on it). */
export async function countInstructions(root: string, counts: number[], log: (line: string) => void): Promise<InstructionResults> {
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (valgrind.error || valgrind.status !== 0) {
    return { skipped: 'valgrind is not installed (apt-get install valgrind)' };
  }
  // The compiled cases, as the child processes run them.
  const compiled = compiledCases(root);
  const templateFloorDifference = templateDifference(compiled.caseById(OURS.id).load(), compiled.caseById(TEMPLATE_FLOOR.id).load());
  const cases = instructionCases(counts);
  const millions: Record<CaseKey, number> = {};
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      millions[c.key] = await countOne(root, c);
      log(`  ${c.key}: ${millions[c.key].toFixed(1)} million instructions`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  const figures: Record<CaseKey, InstructionFigures> = {};
  for (const c of cases) {
    const to = (id: string) => millions[c.key] / millions[caseKey(id, c.count)];
    figures[c.key] = {
      millions: millions[c.key],
      ratioToFloor: to(FLOOR.id),
      ratioToAlpha: to(ALPHA.id),
      ratioToTemplateFloor: to(TEMPLATE_FLOOR.id),
    };
  }
  return { tool: `${valgrind.stdout.trim()} ${VALGRIND_ARGS.join(' ')}, node ${NODE_FLAGS.join(' ')}`, counts: figures, templateFloorDifference };
}

function countOne(root: string, c: ColdCase): Promise<number> {
  const child = coldChild(root, c.caseId, c.count, false);
  const args = [...VALGRIND_ARGS, process.execPath, ...NODE_FLAGS, ...child.args];
  return new Promise((resolve, reject) => {
    const valgrind = spawn('valgrind', args, { env: child.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    valgrind.stderr.on('data', (chunk: Buffer) => stderr += chunk.toString());
    valgrind.on('error', reject);
    valgrind.on('close', status => {
      // "==123== I   refs:      1,566,201,234"
      const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (status !== 0 || !match) {
        reject(new Error(`${c.key} under valgrind exited with ${status}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(Number(match[1].replace(/,/g, '')) / 1e6);
    });
  });
}

/** The instruction table: us, the floor and the alpha at each count. */
export function instructionsMarkdown(r: InstructionResults, counts: number[]): string[] {
  const out = ['## Instructions per synthesis', ''];
  if ('skipped' in r) {
    return [...out, `Not measured in this run: ${r.skipped}.`, ''];
  }
  out.push(
    `Whole process, validation off: millions of instructions from start to exit, counted by ${r.tool}. `
      + 'The same case counts the same to within 0.1% run after run, whatever the load, so these ratios hold where the timings above overlap. '
      + 'Valgrind counts the compiling and garbage collection that a normal run does on other threads, and weighs every instruction alike.',
    '',
    '| case | images | millions of instructions | ratio to the floor | ratio to the alpha | ratio to our template by hand |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const n of counts) {
    for (const c of [...SCALED_CASES, TEMPLATE_FLOOR]) {
      const f = r.counts[caseKey(c.id, n)];
      out.push(`| ${c.label} | ${n} | ${f.millions.toFixed(0)} | ${f.ratioToFloor.toFixed(3)}× | ${f.ratioToAlpha.toFixed(3)}× | ${f.ratioToTemplateFloor.toFixed(3)}× |`);
    }
  }
  out.push(
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

/** `npx projen bench:instructions`: the instruction counts alone, in about two minutes; writes bench/results/instructions.json. */
async function main(): Promise<void> {
  const counts = [1, 10, 50];
  const root = compileTree();
  process.env.CDK_VALIDATION = 'false';
  const results = await countInstructions(root, counts, line => process.stderr.write(`${line}\n`));
  if ('skipped' in results) {
    process.stderr.write(`${results.skipped}\n`);
    process.exit(1);
  }
  const md = ['# Instructions per synthesis', '', `\`npx projen bench:instructions\`, ${new Date().toISOString()}.`, '', ...instructionsMarkdown(results, counts).slice(2)].join('\n');
  const out = path.join(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'instructions.json'), JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'instructions.md'), md);
  process.stdout.write(md);
}

if (require.main === module) {
  main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
