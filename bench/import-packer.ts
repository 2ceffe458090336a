import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importTemplate } from '../src/cli/import-packer/import-packer';

/**
 * `npx projen bench:import-packer`: how long `import-packer` takes on each template of the shared
 * Packer corpus, never a test. Process: the shipped CLI bundle run as users run it (node start,
 * the HCL parser's WebAssembly loaded, the file written). In-process: the import alone, the parser
 * already loaded (median of the warm runs). Writes bench/results/import-packer.json and .md.
 */
const RUNS = Number(process.env.BENCH_IMPORT_PACKER_RUNS ?? 5);
const CLI = path.join(__dirname, '..', 'assets', 'cli', 'cdk-immutable-infra', 'index.js');
const CORPUS = path.join(__dirname, '..', '..', 'shared', 'corpus', 'packer');
/** The EKS sample is three .pkr.hcl files of one folder. */
const FOLDER = 'aws-samples+amazon-eks-custom-amis';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function templates(work: string): string[] {
  fs.mkdirSync(path.join(work, FOLDER));
  const out: string[] = [path.join(work, FOLDER)];
  for (const file of fs.readdirSync(CORPUS).sort()) {
    if (file.startsWith(`${FOLDER}__`) && file.endsWith('.pkr.hcl')) {
      fs.copyFileSync(path.join(CORPUS, file), path.join(work, FOLDER, file));
    } else {
      fs.copyFileSync(path.join(CORPUS, file), path.join(work, file));
      out.push(path.join(work, file));
    }
  }
  return out;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx projen bundle first`);
  if (!fs.existsSync(CORPUS)) throw new Error(`${CORPUS} is missing: the corpus is in the shared folder`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-packer-'));
  try {
    const rows = [];
    for (const template of templates(work)) {
      const name = path.basename(template);
      const processMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        const run = spawnSync(process.execPath, [CLI, 'import-packer', template, '--out', path.join(work, 'out.ts'), '--json'], { encoding: 'utf-8' });
        processMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (run.status !== 0) throw new Error(`import-packer ${name} exited ${run.status}: ${run.stderr}`);
      }
      const warmMs: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const started = process.hrtime.bigint();
        await importTemplate(template, { varFiles: [], vars: [], env: {} }, path.join(work, 'out.ts'));
        // The first in-process run loads the parser: not a warm figure.
        if (i > 0) warmMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      rows.push({ template: name, lines: fs.statSync(template).isDirectory() ? undefined : fs.readFileSync(template, 'utf-8').split('\n').length, processMs: Math.round(median(processMs)), inProcessMs: Math.round(median(warmMs) * 10) / 10 });
      process.stderr.write(`${name}: ${Math.round(median(processMs))} ms\n`);
    }
    const figures = { runs: RUNS, node: process.version, cpus: os.cpus().length, loadAverage: Math.round(os.loadavg()[0] * 10) / 10, rows };
    const out = path.join(__dirname, 'results');
    fs.writeFileSync(path.join(out, 'import-packer.json'), `${JSON.stringify(figures, null, 2)}\n`);
    fs.writeFileSync(path.join(out, 'import-packer.md'), [
      `# import-packer on the Packer corpus (median of ${RUNS}; Node.js ${process.version}, ${os.cpus().length} CPUs, load ${figures.loadAverage})`,
      '',
      '| template | whole command (ms) | import in process, parser loaded (ms) |',
      '|---|---:|---:|',
      ...rows.map(r => `| ${r.template} | ${r.processMs} | ${r.inProcessMs} |`),
      '',
    ].join('\n'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main().catch(e => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
