import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SnapshotTemplate } from '../src';

/**
 * `npx projen bench:plan`: wall times of `cdk-immutable-infra plan` (the bundled command line, as
 * it ships) on the example app against itself (no change) and against the example with one word
 * added to a provisioner's command (a re-bake and two releases), and the in-process cost of
 * SnapshotTemplate.of on every stack of the example app. Never a test. Writes bench/results/plan.json
 * and plan.md.
 */
const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 5);
const REPO = path.join(__dirname, '..');
const CLI = path.join(REPO, 'assets', 'cli', 'cdk-immutable-infra', 'index.js');

/** The example app, its install step changed by `edit`, loaded from a copy that imports this repository's src. */
function exampleApp(work: string, name: string, edit: (source: string) => string): { app: App; stacks: Stack[] } {
  const dir = path.join(work, name);
  fs.cpSync(path.join(REPO, 'examples'), dir, { recursive: true });
  // Every example module imports the library as '../src': point them all at this repository's.
  for (const module of fs.readdirSync(dir).filter(f => f.endsWith('.ts'))) {
    const source = path.join(dir, module);
    fs.writeFileSync(source, fs.readFileSync(source, 'utf-8').replace("from '../src'", `from ${JSON.stringify(path.join(REPO, 'src'))}`));
  }
  const file = path.join(dir, 'golden-web.ts');
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf-8')));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildExampleApp } = require(file) as typeof import('../examples/golden-web');
  const app = new App({ outdir: path.join(work, `${name}.out`) });
  return { app, stacks: buildExampleApp(app) };
}

function timePlan(base: string, app: string): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, 'plan', '--base', base, '--app', app], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) {
    throw new Error(`plan exited ${run.status}:\n${run.stderr}`);
  }
  return { seconds, stdout: run.stdout };
}

function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: round(sorted[Math.floor(sorted.length / 2)]), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function main(): void {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run npx projen bundle first`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plan-'));
  // The example's copies resolve aws-cdk-lib from this repository's modules.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  try {
    const base = exampleApp(work, 'base', source => source);
    const changed = exampleApp(work, 'changed', source => source.replace("'apt-get install -y nginx curl'", "'apt-get install -y nginx curl unzip'"));
    const baseDir = base.app.synth().directory;
    const changedDir = changed.app.synth().directory;

    const unchanged: number[] = [];
    const change: number[] = [];
    let lines = { unchanged: '', change: '' };
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`plan ${i + 1}/${RUNS} ...\n`);
      const same = timePlan(baseDir, baseDir);
      const other = timePlan(baseDir, changedDir);
      unchanged.push(same.seconds);
      change.push(other.seconds);
      lines = { unchanged: same.stdout.trim().split('\n').pop()!, change: other.stdout.trim().split('\n').pop()! };
    }
    const snapshots: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      base.stacks.forEach(stack => SnapshotTemplate.of(stack));
      snapshots.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    const templateBytes = fs.readdirSync(baseDir).filter(f => f.endsWith('.template.json')).reduce((n, f) => n + fs.statSync(path.join(baseDir, f)).size, 0);
    const figures = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map(l => Math.round(l * 10) / 10), node: process.version },
      command: 'node assets/cli/cdk-immutable-infra/index.js plan --base <example cdk.out> --app <cdk.out>',
      app: { stacks: base.stacks.length, templateKilobytes: Math.round(templateBytes / 1000) },
      runs: RUNS,
      planSeconds: { unchanged: summary(unchanged), oneCommandChanged: summary(change) },
      planSays: lines,
      snapshotTemplateSeconds: { allStacks: summary(snapshots) },
    };
    const out = path.join(__dirname, 'results');
    fs.writeFileSync(path.join(out, 'plan.json'), `${JSON.stringify(figures, null, 2)}\n`);
    const row = (label: string, s: { median: number; min: number; max: number }) => `| ${label} | ${s.median} s (${s.min}–${s.max}) |`;
    fs.writeFileSync(path.join(out, 'plan.md'), [
      '# plan and SnapshotTemplate on the example app',
      '',
      `${figures.date}, ${figures.machine.cpus} cores (load average ${figures.machine.loadAverage.join(', ')} at the end), Node.js ${figures.machine.node}.`,
      `The example app: ${figures.app.stacks} stacks, ${figures.app.templateKilobytes} kB of templates. Command: \`${figures.command}\`, a new process each run.`,
      '',
      `| what (median of ${RUNS}, min–max) | wall time |`,
      '| --- | --- |',
      row('plan, no change', figures.planSeconds.unchanged),
      row('plan, one word added to the install step', figures.planSeconds.oneCommandChanged),
      row(`SnapshotTemplate.of on all ${figures.app.stacks} stacks, in process (app synthesised)`, figures.snapshotTemplateSeconds.allStacks),
      '',
      `plan says, no change: "${lines.unchanged}"; with the change: "${lines.change}"`,
      '',
    ].join('\n'));
    process.stdout.write(fs.readFileSync(path.join(out, 'plan.md'), 'utf-8'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
