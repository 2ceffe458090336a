import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { run, mountProc, mountTmpfs } from './mounts';
import { OverlayRoot } from './overlay-root';
import { SandboxGuest, stopProcesses } from './sandbox-guest';
import { EVENT_FD, SandboxEvent, SandboxRequest, SandboxResult } from './sandbox-protocol';
import { addSsmAgentStandIn, removeSsmAgentStandIn } from './ssm-agent-stand-in';
import { installSystemctlShim, systemctlShimUses } from './systemctl-shim';
import { countSteps, DocumentRunner, StepCounter } from '../runner/document-runner';
import { RunnerEvents, StepReport } from '../runner/step-report';

/**
 * The sandbox: PID 1 of its own PID and mount namespaces (see isolation.ts). It mounts a private
 * tmpfs, an overlay of the cached root on it, and runs the build and validate phases; then, with
 * `--test`, the test phase on a fresh overlay over the build's result, in a network namespace of
 * its own with only loopback, with the systemctl stand-in. Nothing it mounts is visible outside,
 * and all of it goes when it exits.
 */
export async function sandboxMain(): Promise<number> {
  const request = JSON.parse(fs.readFileSync(0, 'utf-8')) as SandboxRequest;
  const emit = (event: SandboxEvent) => fs.writeSync(EVENT_FD, `${JSON.stringify(event)}\n`);
  // The host's /proc still shows this process by its host PID: the host needs it to wait for the end.
  emit({ type: 'hello', hostPid: Number(fs.readlinkSync('/proc/self')) });
  if (process.pid !== 1) {
    throw new Error('the sandbox must run as PID 1 of its own PID namespace (unshare --pid --fork)');
  }
  mountProc('/proc');
  mountTmpfs(request.mountPoint, '0700');
  const base = request.mountPoint;
  const plan = request.plan;
  const notes: string[] = [];
  const seconds: Record<string, number> = {};
  const events: RunnerEvents = {
    stepStarted: position => emit({ type: 'step-started', position }),
    stepEnded: report => emit({ type: 'step-ended', report }),
  };
  const testPhases = request.test ? (['test'] as const) : [];
  const counter: StepCounter = { index: 0, total: countSteps(plan.components, ['build', 'validate', ...testPhases]) };
  const settings = { assets: plan.assets, workingDirectory: plan.workingDirectory, logDir: request.logDir, events };

  const build = new OverlayRoot({
    lowers: [request.root], upper: path.join(base, 'build', 'upper'), work: path.join(base, 'build', 'work'), merged: path.join(base, 'build', 'root'),
  });
  build.mount();
  const standIn = addSsmAgentStandIn(build.root);
  if (standIn) {
    notes.push(`the root has no SSM agent: an enabled stand-in unit amazon-ssm-agent.service (not the real agent) stands for the one Image Builder installs${plan.keepSsmAgent ? ', kept as the recipe keeps the agent' : ', removed after the build as the recipe does not keep the agent'}`);
  }
  let started = Date.now();
  const buildRunner = new DocumentRunner({ ...settings, guest: new SandboxGuest(build) }, counter);
  const buildStage = await buildRunner.runStage(plan.components, ['build', 'validate']);
  seconds.build = (Date.now() - started) / 1000;
  const steps: StepReport[] = [...buildStage.steps];

  // Nothing started by the build runs on into the copy or the test phase, as on a new instance.
  await stopProcesses(new Set([process.pid]));
  if (standIn && !plan.keepSsmAgent) {
    removeSsmAgentStandIn(build.root);
  }
  build.release();
  let kept = false;
  if (request.keepTo) {
    started = Date.now();
    run(['cp', '-a', '--', build.root, request.keepTo]);
    kept = true;
    seconds.keep = (Date.now() - started) / 1000;
  }
  build.unmount();

  let passed = buildStage.passed;
  if (request.test) {
    const testRunner = (guest: SandboxGuest, stepNotes?: () => string[]) => new DocumentRunner({ ...settings, guest, stepNotes }, counter);
    if (!buildStage.passed) {
      steps.push(...testRunner(new SandboxGuest(build)).notRunStage(plan.components, ['test']));
      notes.push('the test phase did not run: the build failed');
    } else {
      started = Date.now();
      const testStage = await runTestPhase(request, base, testRunner, notes);
      steps.push(...testStage.steps);
      passed = passed && testStage.passed;
      seconds.test = (Date.now() - started) / 1000;
    }
  } else if (countSteps(plan.components, ['test']) > 0) {
    notes.push('the test phase was not run: pass --test to run it');
  }
  const result: SandboxResult = { passed, steps, notes, seconds, kept };
  emit({ type: 'done', result });
  return 0;
}

async function runTestPhase(request: SandboxRequest, base: string,
  runner: (guest: SandboxGuest, stepNotes?: () => string[]) => DocumentRunner, notes: string[]) {
  // A fresh instance launched from the image: the build's changes below, a new upper layer above.
  const test = new OverlayRoot({
    lowers: [path.join(base, 'build', 'upper'), request.root],
    upper: path.join(base, 'test', 'upper'),
    work: path.join(base, 'test', 'work'),
    merged: path.join(base, 'test', 'root'),
  });
  test.mount();
  const shimFolder = path.join(base, 'shim');
  fs.mkdirSync(shimFolder, { recursive: true });
  if (!installSystemctlShim(test.root, shimFolder)) {
    notes.push('the image has no systemctl: the test phase runs without the systemctl stand-in');
  }
  const holder = await networkNamespace();
  const namespace = `/proc/${holder.pid}/ns/net`;
  notes.push('the test phase ran in its own network namespace with only loopback (ports never clash with the host)');
  const guest = new SandboxGuest(test, { networkNamespace: namespace, keepAlive: () => [holder.pid!] });
  const stage = await runner(guest, systemctlShimUses(test.root)).runStage(request.plan.components, ['test']);
  await stopProcesses(new Set([process.pid]));
  test.unmount();
  return stage;
}

/** A process holding a new network namespace with loopback up, for the test phase. */
async function networkNamespace(): Promise<ChildProcess> {
  const holder = spawn('unshare', ['--net', '--', 'sleep', 'infinity'], { stdio: 'ignore' });
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 100; i++) {
    try {
      if (holder.pid !== undefined && fs.readlinkSync(`/proc/${holder.pid}/ns/net`) !== own) {
        run(['nsenter', `--net=/proc/${holder.pid}/ns/net`, '--', 'ip', 'link', 'set', 'lo', 'up']);
        return holder;
      }
    } catch (e) {
      if (!(e instanceof Error) || !/ENOENT/.test(e.message)) {
        throw e;
      }
    }
    await new Promise(r => setTimeout(r, 20));
  }
  throw new Error('could not create the test phase\'s network namespace (unshare --net)');
}
