import * as fs from 'fs';
import * as path from 'path';
import { ChainStore, documentVariables, ExpressionScope, LoopIteration, loopIterations, substitute } from './expression-scope';
import { RunnerEvents, StepPosition, StepReport, StepStatus } from './step-report';
import { ToePhaseName, ToeStep } from '../../../provisioning/toe/component-document';
import { StagedAsset } from '../../assembly/cloud-assembly';
import { ActionOutcome } from '../actions/action';
import { evaluateCondition } from '../actions/conditions';
import { emulatorFor } from '../actions/registry';
import { PlannedComponent } from '../plan';
import { Guest } from '../sandbox/guest';

/** AWSTOE's step timeout when a step gives none. */
const DEFAULT_TIMEOUT_SECONDS = 7200;
/** Restarts one step may ask for (exit code 194) before bake-local calls it a loop. */
export const MAX_RESTARTS_PER_STEP = 10;

export interface RunnerSettings {
  readonly guest: Guest;
  readonly assets: Readonly<Record<string, StagedAsset>>;
  readonly workingDirectory: string;
  /** Folder the step logs go to. */
  readonly logDir: string;
  readonly events: RunnerEvents;
  /** Notes a step run gets from outside its action (e.g. the systemctl stand-in), read after each step. */
  readonly stepNotes?: () => string[];
  readonly now?: () => number;
}

/** A stage of Image Builder: the phases it runs, in order, across the recipe's components. */
export interface StageResult {
  readonly passed: boolean;
  readonly steps: readonly StepReport[];
}

/**
 * Runs AWSTOE documents with Image Builder's semantics: in a stage, each phase runs for every
 * component in recipe order (build for all, then validate for all); a document's steps run in
 * order with their `if`, loops, expressions and chaining, maxAttempts, timeoutSeconds and
 * onFailure (Abort stops, Continue goes on but fails the document, Ignore goes on). A failed
 * document ends the stage: what was still to run is reported as not run.
 */
export class DocumentRunner {
  private readonly now: () => number;

  /** `counter` numbers the steps across runners (a bake's stages run with different guests). */
  constructor(private readonly settings: RunnerSettings, private readonly counter: StepCounter) {
    this.now = settings.now ?? Date.now;
  }

  /** The steps of the phases, reported as not run (a stage that could not start). */
  public notRunStage(components: readonly PlannedComponent[], phases: readonly ToePhaseName[]): StepReport[] {
    return phases.flatMap(phase => components.flatMap(component =>
      (component.document.phases.find(p => p.name === phase)?.steps ?? []).map(step => this.notRun(component, phase, step))));
  }

  public async runStage(components: readonly PlannedComponent[], phases: readonly ToePhaseName[]): Promise<StageResult> {
    const chains = new Map<PlannedComponent, ChainStore>(components.map(c => [c, new ChainStore()]));
    const reports: StepReport[] = [];
    let passed = true;
    for (const phase of phases) {
      for (const component of components) {
        const steps = component.document.phases.find(p => p.name === phase)?.steps ?? [];
        if (!passed) {
          reports.push(...steps.map(step => this.notRun(component, phase, step)));
          continue;
        }
        const scope: ExpressionScope = {
          variables: documentVariables(component.document.parameters, component.document.constants, component.parameters),
          chain: chains.get(component)!,
        };
        let documentFailed = false;
        let ran = 0;
        for (const step of steps) {
          const report = await this.runStep(component, phase, step, scope);
          reports.push(report);
          ran++;
          if (report.status === 'failed') {
            documentFailed = true;
            if ((step.onFailure ?? 'Abort') === 'Abort') {
              break;
            }
          }
        }
        reports.push(...steps.slice(ran).map(step => this.notRun(component, phase, step)));
        passed = passed && !documentFailed;
      }
    }
    return { passed, steps: reports };
  }

  private async runStep(component: PlannedComponent, phase: ToePhaseName, step: ToeStep, scope: ExpressionScope): Promise<StepReport> {
    const position: StepPosition = {
      index: ++this.counter.index, total: this.counter.total, phase, component: component.label, step: step.name, action: step.action,
    };
    const log = path.join(this.settings.logDir, logName(position));
    fs.writeFileSync(log, `# ${phase} / ${component.label} (${component.source}) / ${step.name}: ${step.action}\n`);
    const append = (text: string) => fs.appendFileSync(log, text);
    this.settings.events.stepStarted(position);
    const started = this.now();
    this.settings.stepNotes?.();
    const result = await this.attempts(step, scope, append);
    const notes = [...result.notes, ...(this.settings.stepNotes?.() ?? [])];
    let status: StepStatus = result.skipped ? 'skipped' : result.ok ? 'passed' : 'failed';
    if (status === 'failed' && step.onFailure === 'Ignore') {
      status = 'ignored';
    }
    if (result.ok || status === 'ignored') {
      scope.chain.record(phase, step.name, result.inputs, result.outputs ?? {});
    }
    append(`\n# ${status}${result.reason ? `: ${result.reason}` : ''}${result.evidence ? `\n# ${result.evidence}` : ''}\n`);
    const report: StepReport = {
      ...position,
      status,
      seconds: (this.now() - started) / 1000,
      attempts: result.attempts,
      exitCode: result.exitCode,
      reason: result.ok ? undefined : result.reason,
      evidence: result.ok ? undefined : result.evidence,
      notes,
      log,
    };
    this.settings.events.stepEnded(report);
    return report;
  }

  private async attempts(step: ToeStep, scope: ExpressionScope, log: (text: string) => void): Promise<Attempt> {
    const emulator = emulatorFor(step.action);
    if (!emulator) {
      return { ok: false, reason: `${step.action} is not emulated`, attempts: 0, notes: [] };
    }
    const verdict = this.condition(step, scope);
    if (verdict !== 'Execute') {
      return verdict === 'Skip'
        ? { ok: true, skipped: true, attempts: 0, notes: ['skipped: its if condition does not hold'] }
        : { ok: false, reason: typeof verdict === 'object' ? verdict.error : 'its if condition says Abort', attempts: 0, notes: [] };
    }
    const maxAttempts = Math.max(1, Number(step.maxAttempts ?? 1));
    const timeout = Number(step.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    let last: Attempt = { ok: false, attempts: 0, notes: [] };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        log(`\n# attempt ${attempt} of ${maxAttempts}\n`);
      }
      const deadline = timeout === -1 ? undefined : this.now() + timeout * 1000;
      last = { ...(await this.iterations(step, scope, deadline, log, emulator)), attempts: attempt };
      if (last.ok) {
        break;
      }
    }
    return last;
  }

  private async iterations(step: ToeStep, scope: ExpressionScope, deadline: number | undefined, log: (text: string) => void,
    emulator: NonNullable<ReturnType<typeof emulatorFor>>): Promise<Attempt> {
    const notes: string[] = [];
    let iterations: Array<LoopIteration | undefined>;
    try {
      iterations = step.loop === undefined ? [undefined] : loopIterations(step.loop, scope);
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e), attempts: 1, notes };
    }
    const stdout: string[] = [];
    let outputs: Readonly<Record<string, string>> = {};
    let inputs: unknown;
    for (const iteration of iterations) {
      inputs = substitute(step.inputs, { ...scope, loop: iteration });
      let restarts = 0;
      let outcome: ActionOutcome;
      for (;;) {
        if (deadline !== undefined && this.now() > deadline) {
          return { ok: false, reason: 'timed out (timeoutSeconds)', attempts: 1, notes };
        }
        outcome = await emulator.run({
          guest: this.settings.guest, inputs, workingDirectory: this.settings.workingDirectory, assets: this.settings.assets, deadline, log,
        });
        notes.push(...(outcome.notes ?? []));
        if (!outcome.reboot) {
          break;
        }
        const restart = await this.settings.guest.reboot();
        log(`\n# emulated restart: ${restart}\n`);
        if (outcome.reboot === 'then-next') {
          notes.push(`emulated restart: ${restart}`);
          break;
        }
        if (++restarts > MAX_RESTARTS_PER_STEP) {
          return { ok: false, reason: `asked for a restart (exit code 194) ${restarts} times; a step must stop asking once its work is done`, attempts: 1, notes };
        }
        notes.push(`exit code 194: emulated restart, run again (${restarts})`);
      }
      if (!outcome.ok) {
        const where = iteration ? ` (loop iteration ${iteration.index}, value '${iteration.value}')` : '';
        return { ok: false, reason: `${outcome.reason ?? 'failed'}${where}`, evidence: outcome.evidence, exitCode: outcome.exitCode, attempts: 1, notes };
      }
      if (outcome.outputs?.stdout !== undefined) {
        stdout.push(outcome.outputs.stdout);
      }
      outputs = { ...outputs, ...outcome.outputs };
    }
    if (stdout.length > 1) {
      outputs = { ...outputs, stdout: stdout.join('\n') };
    }
    return { ok: true, outputs, inputs, attempts: 1, notes, exitCode: 0 };
  }

  /** What a step's `if` says: Execute, Skip or Abort (then/else), or an error. */
  private condition(step: ToeStep, scope: ExpressionScope): 'Execute' | 'Skip' | 'Abort' | { error: string } {
    if (step.if === undefined) {
      return 'Execute';
    }
    try {
      const condition = substitute(step.if, scope) as Record<string, unknown>;
      const holds = evaluateCondition(condition, { resolve: p => this.settings.guest.resolve(p, { cwd: this.settings.workingDirectory }) });
      const chosen = String(holds ? condition.then ?? 'Execute' : condition.else ?? 'Skip');
      return chosen === 'Skip' || chosen === 'Abort' ? chosen : 'Execute';
    } catch (e) {
      return { error: `its if condition cannot be evaluated: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private notRun(component: PlannedComponent, phase: ToePhaseName, step: ToeStep): StepReport {
    return {
      index: ++this.counter.index,
      total: this.counter.total,
      phase,
      component: component.label,
      step: step.name,
      action: step.action,
      status: 'not-run',
      seconds: 0,
      attempts: 0,
      notes: [],
    };
  }
}

/** Numbers steps across the stages of one bake. */
export interface StepCounter {
  index: number;
  readonly total: number;
}

interface Attempt {
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly reason?: string;
  readonly evidence?: string;
  readonly exitCode?: number;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly inputs?: unknown;
  readonly attempts: number;
  readonly notes: readonly string[];
}

/** `03-build-install-nginx-install-nginx.log`: sorted like the bake, safe as a file name. */
export function logName(position: StepPosition): string {
  const safe = (value: string) => value.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60);
  const width = String(position.total).length;
  return `${String(position.index).padStart(width, '0')}-${position.phase}-${safe(position.component)}-${safe(position.step)}.log`;
}

/** The number of steps the given phases hold across the components. */
export function countSteps(components: readonly PlannedComponent[], phases: readonly ToePhaseName[]): number {
  const stepsOf = (component: PlannedComponent, phase: ToePhaseName) => component.document.phases.find(p => p.name === phase)?.steps.length ?? 0;
  return phases.reduce((sum, phase) => sum + components.reduce((n, c) => n + stepsOf(c, phase), 0), 0);
}
