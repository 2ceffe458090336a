import * as fs from 'fs';
import * as path from 'path';
import { planBake } from './assembly/bake-plan';
import { BakePlan } from './plan';
import { checkKeep, checkMachine, checkRootfs } from './preflight';
import { BakeResult, renderSummary, stepLabel } from './report';
import { readCloudAssembly } from '../assembly/cloud-assembly';
import { findImage } from '../assembly/image-lookup';
import { rootRecipeFor } from './rootfs/parent-root';
import { ensureRoot } from './rootfs/root-builder';
import { cacheFolder, cacheLayout, CacheLayout, pruneLogs, removeStalePartials, rootKey } from './rootfs/root-cache';
import { startSandbox } from './sandbox/sandbox-host';
import { SandboxEvent } from './sandbox/sandbox-protocol';
import { CliError, ExitCode } from '../core/cli-error';
import { Interruption } from '../core/interruption';
import { writeJson } from '../core/json-output';
import { CliContext } from '../core/program';
import { Progress } from '../core/progress';

/** A kept root being copied is `.bake-local-keep-<name>-<pid>` beside its final name, renamed when complete. */
const KEEP_PARTIAL_PREFIX = '.bake-local-keep-';

export interface BakeLocalOptions {
  readonly app: string;
  readonly image?: string;
  readonly test: boolean;
  readonly keep?: string;
  readonly rootfs?: string;
  readonly cache?: string;
  readonly skip: readonly string[];
  readonly json: boolean;
  readonly quiet: boolean;
}

/**
 * `bake-local`: reads the image from the cloud assembly, makes sure of a root (cached, built, or
 * given), runs the sandbox and reports. Bad input and an unfit machine end with exit code 2
 * before anything runs; a failed step with 1.
 */
export async function bakeLocal(options: BakeLocalOptions, context: CliContext): Promise<ExitCode> {
  const started = Date.now();
  const assembly = readCloudAssembly(path.resolve(context.cwd, options.app));
  const plan = planBake(assembly, findImage(assembly, options.image), { skip: options.skip });
  const keep = options.keep !== undefined ? checkKeep(path.resolve(context.cwd, options.keep)) : undefined;
  const cache = cacheFolder(options.cache === undefined ? undefined : path.resolve(context.cwd, options.cache), context.env);
  const recipe = options.rootfs === undefined ? rootRecipeFor(plan.parentImage) : undefined;
  const rootfs = options.rootfs !== undefined ? checkRootfs(path.resolve(context.cwd, options.rootfs)) : undefined;
  // Nothing is written before the machine is known to be fit.
  const debootstrap = recipe !== undefined && !fs.existsSync(path.join(cache, 'roots', rootKey(recipe)));
  checkMachine({ test: options.test, debootstrap, keyring: recipe?.keyring, env: context.env });
  const layout = cacheLayout(cache);

  const progress = new Progress(context.stderr, { quiet: options.quiet });
  const interruption = new Interruption(context.stderr, 'bake-local');
  interruption.install();
  try {
    const seconds: Record<string, number> = {};
    let root: BakeResult['root'];
    if (recipe) {
      const build = ensureRoot(recipe, layout);
      const done = interruption.add(() => build.stop());
      progress.begin(`root: ${recipe.displayName} (debootstrap --variant=minbase, cached after the first run)`);
      const cached = await build.done.catch(e => {
        progress.end('failed');
        throw e;
      });
      progress.end(cached.built ? 'built' : 'cached');
      done();
      seconds.root = cached.seconds;
      root = { path: cached.path, source: cached.built ? 'built' : 'cache', description: `${recipe.displayName} (${path.basename(cached.path)})` };
    } else {
      root = { path: rootfs!, source: 'rootfs', description: rootfs! };
    }
    const result = await runSandbox(plan, root, options, layout, keep, progress, interruption);
    const outcome: BakeResult = { ...result, seconds: { ...seconds, ...result.seconds, total: (Date.now() - started) / 1000 } };
    progress.close();
    if (options.json) {
      writeJson(context.stdout, outcome);
    } else {
      context.stdout.write(renderSummary(outcome));
    }
    return outcome.passed ? ExitCode.OK : ExitCode.FAILED;
  } finally {
    progress.close();
    interruption.uninstall();
  }
}

async function runSandbox(plan: BakePlan, root: BakeResult['root'], options: BakeLocalOptions, layout: CacheLayout,
  keep: string | undefined, progress: Progress, interruption: Interruption): Promise<BakeResult> {
  const logDir = path.join(layout.logs, `${new Date().toISOString().replace(/[:.]/g, '-')}-${plan.image.replace(/[^A-Za-z0-9_-]+/g, '_')}`);
  fs.mkdirSync(logDir, { recursive: true });
  pruneLogs(layout.logs);
  const keepTo = keep ? path.join(path.dirname(keep), `${KEEP_PARTIAL_PREFIX}${path.basename(keep)}-${process.pid}`) : undefined;
  if (keep) {
    removeStalePartials(path.dirname(keep), KEEP_PARTIAL_PREFIX);
  }
  const entry = [process.execPath, ...process.execArgv, process.argv[1]];
  const onEvent = (event: SandboxEvent) => {
    if (event.type === 'step-started') {
      progress.begin(stepLabel(event.position));
    } else if (event.type === 'step-ended') {
      const report = event.report;
      progress.end(report.status === 'passed' ? 'ok' : `${report.status}${report.reason ? ` (${report.reason})` : ''}`);
      if (report.evidence && report.status === 'failed') {
        progress.log(`  > ${report.evidence}`);
      }
    }
  };
  const sandbox = startSandbox(entry, { plan, root: root.path, mountPoint: layout.mountPoint, logDir, test: options.test, keepTo }, onEvent);
  const unregister = interruption.add(async () => {
    await sandbox.stop();
    if (keepTo) {
      fs.rmSync(keepTo, { recursive: true, force: true });
    }
  });
  const exit = await sandbox.finished;
  unregister();
  if (!exit.result) {
    if (keepTo) {
      fs.rmSync(keepTo, { recursive: true, force: true });
    }
    const detail = exit.stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${exit.exitCode}${exit.signal ? `, ${exit.signal}` : ''}`;
    throw new CliError(`the sandbox stopped before the end: ${detail} (step logs in ${logDir})`, ExitCode.FAILED);
  }
  let kept: string | undefined;
  if (keep && keepTo && exit.result.kept) {
    if (fs.existsSync(keep)) {
      fs.rmdirSync(keep);
    }
    fs.renameSync(keepTo, keep);
    kept = keep;
  }
  return {
    image: plan.image,
    passed: exit.result.passed,
    phases: ['build', 'validate', ...(options.test ? ['test'] : [])],
    root,
    steps: exit.result.steps,
    skipped: plan.skipped,
    notes: [
      ...plan.notes,
      ...(options.test && !plan.testsEnabled ? ['the image turns its tests off (ImageTestsEnabled false): Image Builder does not run the test phase'] : []),
      ...exit.result.notes,
    ],
    seconds: exit.result.seconds,
    logs: logDir,
    kept,
  };
}
