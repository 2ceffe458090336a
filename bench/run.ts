import * as fs from 'fs';
import * as path from 'path';
import { goldenImage, l1Floor } from './cases';
import { economy, interleaved, Spread, synthOnce } from './measure';

/**
 * `npm run bench`: figures for the README, never a test. Writes bench/results/latest.json
 * and bench/results/latest.md.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, runs: RUNS };

// Economy: what one image costs in the template.
results.economy = {
  'cdk-immutable-infra': economy(goldenImage, 1),
  'aws-cdk-lib L1 (floor)': economy(l1Floor, 1),
};

// Synth speed, with aws-cdk-lib's template validation on (its default) and off.
const speed: Record<string, unknown> = {};
for (const validation of ['on', 'off']) {
  process.env.CDK_VALIDATION = validation === 'on' ? 'true' : 'false';
  const timings = interleaved({
    'cdk-immutable-infra': () => synthOnce(goldenImage, 1),
    'aws-cdk-lib L1 (floor)': () => synthOnce(l1Floor, 1),
  }, RUNS);
  speed[`validation ${validation}`] = {
    ...timings,
    ratio: timings['cdk-immutable-infra'].ms.median / timings['aws-cdk-lib L1 (floor)'].ms.median,
  };
}
delete process.env.CDK_VALIDATION;
results.synth = speed;

// Lambda handlers, as bundled by the build.
const assets = path.join(__dirname, '..', 'assets', 'handlers');
const bundles: Record<string, number> = {};
if (fs.existsSync(assets)) {
  for (const dir of fs.readdirSync(assets, { recursive: true }) as string[]) {
    const file = path.join(assets, dir);
    if (file.endsWith('index.js')) {
      bundles[path.relative(assets, path.dirname(file))] = fs.statSync(file).size;
    }
  }
}
results.handlerBundles = bundles;

const out = path.join(__dirname, 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(out, 'latest.md'), markdown());
console.log(markdown());

function ms(s: Spread): string {
  return `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}

function mib(s: Spread): string {
  return `${(s.median / 2 ** 20).toFixed(1)} MiB`;
}

function markdown(): string {
  const eco = results.economy as Record<string, ReturnType<typeof economy>>;
  const lines = [
    `# Benchmarks (${results.date}, Node ${results.node}, ${RUNS} interleaved runs, medians with min–max)`,
    '',
    '## One image: Amazon Linux 2023 + one shell step installing nginx',
    '',
    '| | resources | template bytes | Lambda functions |',
    '|---|---:|---:|---:|',
    ...Object.entries(eco).map(([k, v]) => `| ${k} | ${v.resources} | ${v.templateBytes} | ${v.lambdaFunctions} |`),
    '',
    '## Synth time (construct + synthesise one app, in one process)',
    '',
    '| validation | cdk-immutable-infra | L1 floor | ratio | heap growth (ours / floor) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [mode, value] of Object.entries(results.synth as Record<string, any>)) {
    const ours = value['cdk-immutable-infra'];
    const floor = value['aws-cdk-lib L1 (floor)'];
    lines.push(`| ${mode} | ${ms(ours.ms)} | ${ms(floor.ms)} | ${value.ratio.toFixed(2)}× | ${mib(ours.heapBytes)} / ${mib(floor.heapBytes)} |`);
  }
  lines.push('', '## Lambda handler bundles', '', '| handler | bytes |', '|---|---:|');
  for (const [k, v] of Object.entries(results.handlerBundles as Record<string, number>)) {
    lines.push(`| ${k} | ${v} |`);
  }
  return lines.join('\n') + '\n';
}
