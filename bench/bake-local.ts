import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/golden-web';
import type { BakeResult } from '../src/cli/bake-local/report';

/**
 * `npx projen bench:bake-local`: wall times of `bake-local --test` on the example's Debian image
 * (OS update, nginx, the site files, a reboot, `nginx -t`, the serving test), never a test.
 * Cold: an empty cache, so the run builds the Debian root with debootstrap first. Warm: the root
 * cached. Needs root and Debian's mirror (apt-get runs for real, as on an Image Builder instance).
 * Writes bench/results/bake-local.json and bake-local.md.
 */
const WARM_RUNS = Number(process.env.BENCH_BAKE_RUNS ?? 5);
const CLI = path.join(__dirname, '..', 'assets', 'cli', 'cdk-immutable-infra', 'index.js');
/** An Image Builder build of an image like this one: launch, build, snapshot, test instance, distribution. */
const IMAGE_BUILDER_MINUTES = { low: 20, high: 40 };

interface Run {
  readonly wallSeconds: number;
  readonly result: BakeResult;
}

function bake(app: string, cache: string): Run {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, 'bake-local', '--app', app, '--image', 'GoldenWebDebian/WebImage', '--test', '--cache', cache, '--json', '--quiet'], {
    encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) {
    throw new Error(`bake-local exited ${run.status}:\n${run.stderr}`);
  }
  return { wallSeconds, result: JSON.parse(run.stdout) as BakeResult };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const round = (value: number) => Math.round(value * 10) / 10;

/** How many times faster than an Image Builder build, at its low and high end. */
function speedup(seconds: number): { low: number; high: number } {
  return { low: Math.round(IMAGE_BUILDER_MINUTES.low * 60 / seconds), high: Math.round(IMAGE_BUILDER_MINUTES.high * 60 / seconds) };
}

function main(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('bench:bake-local needs root (bake-local mounts and unshares)');
  }
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run npx projen bundle first`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bake-local-'));
  try {
    const app = new App({ outdir: path.join(work, 'cdk.out') });
    buildExampleApp(app);
    app.synth();
    const cache = path.join(work, 'cache');
    process.stderr.write('cold: empty cache (debootstrap of Debian 12 minbase + systemd, sudo, curl, ca-certificates, python3, then the bake) ...\n');
    const cold = bake(app.outdir, cache);
    const root = cold.result.root.path;
    const rootBytes = Number(execFileSync('du', ['-sb', root], { encoding: 'utf-8' }).split('\t')[0]);
    const warm: Run[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      process.stderr.write(`warm ${i + 1}/${WARM_RUNS} ...\n`);
      warm.push(bake(app.outdir, cache));
    }
    const warmWall = warm.map(r => r.wallSeconds);
    const figures = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map(round), node: process.version, kernel: os.release() },
      command: 'node assets/cli/cdk-immutable-infra/index.js bake-local --app <example cdk.out> --image GoldenWebDebian/WebImage --test --cache <cache> --json --quiet',
      steps: cold.result.steps.length,
      cold: {
        wallSeconds: round(cold.wallSeconds),
        rootBuildSeconds: round(cold.result.seconds.root ?? 0),
        bakeSeconds: round((cold.result.seconds.build ?? 0) + (cold.result.seconds.test ?? 0)),
      },
      warm: {
        runs: WARM_RUNS,
        wallSeconds: { median: round(median(warmWall)), min: round(Math.min(...warmWall)), max: round(Math.max(...warmWall)) },
        buildAndValidateSeconds: round(median(warm.map(r => r.result.seconds.build ?? 0))),
        testSeconds: round(median(warm.map(r => r.result.seconds.test ?? 0))),
        slowestStep: warm[0].result.steps.reduce((a, b) => (b.seconds > a.seconds ? b : a)).step,
      },
      cachedRoot: { megabytes: round(rootBytes / 1e6), path: path.basename(root) },
      imageBuilder: {
        minutes: IMAGE_BUILDER_MINUTES,
        warmSpeedup: speedup(median(warmWall)),
        coldSpeedup: speedup(cold.wallSeconds),
      },
    };
    const out = path.join(__dirname, 'results');
    fs.writeFileSync(path.join(out, 'bake-local.json'), `${JSON.stringify(figures, null, 2)}\n`);
    fs.writeFileSync(path.join(out, 'bake-local.md'), [
      '# bake-local: the example\'s Debian image, locally',
      '',
      `${figures.date}, ${figures.machine.cpus} cores (load average ${figures.machine.loadAverage.join(', ')} at the end), Node.js ${figures.machine.node}, kernel ${figures.machine.kernel}.`,
      `Command: \`${figures.command}\` (${figures.steps} steps: build, validate, test).`,
      '',
      '| run | wall time | of which |',
      '| --- | --- | --- |',
      `| cold (empty cache) | ${figures.cold.wallSeconds} s | root built with debootstrap ${figures.cold.rootBuildSeconds} s, bake ${figures.cold.bakeSeconds} s |`,
      `| warm (root cached), median of ${WARM_RUNS} | ${figures.warm.wallSeconds.median} s (${figures.warm.wallSeconds.min}–${figures.warm.wallSeconds.max}) | build + validate ${figures.warm.buildAndValidateSeconds} s, test ${figures.warm.testSeconds} s |`,
      '',
      `Cached root: ${figures.cachedRoot.megabytes} MB (${figures.cachedRoot.path}).`,
      `An Image Builder build of the same image takes ${IMAGE_BUILDER_MINUTES.low} to ${IMAGE_BUILDER_MINUTES.high} minutes: warm, bake-local is ${figures.imageBuilder.warmSpeedup.low}× to ${figures.imageBuilder.warmSpeedup.high}× faster; cold, ${figures.imageBuilder.coldSpeedup.low}× to ${figures.imageBuilder.coldSpeedup.high}×.`,
      '',
    ].join('\n'));
    process.stdout.write(fs.readFileSync(path.join(out, 'bake-local.md'), 'utf-8'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
