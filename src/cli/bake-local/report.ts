import { formatSeconds, renderTable } from '../core/table';
import { StepReport, StepStatus } from './runner/step-report';

/** The result of a bake, as `--json` prints it and the summary shows it. */
export interface BakeResult {
  readonly image: string;
  readonly passed: boolean;
  readonly phases: readonly string[];
  readonly root: {
    readonly path: string;
    /** `cache` (built before), `built` (by this run) or `rootfs` (given with --rootfs). */
    readonly source: 'cache' | 'built' | 'rootfs';
    readonly description: string;
  };
  readonly steps: readonly StepReport[];
  readonly skipped: ReadonlyArray<{ readonly label: string; readonly reason: string }>;
  readonly notes: readonly string[];
  readonly seconds: Readonly<Record<string, number>>;
  readonly logs: string;
  readonly kept?: string;
}

const RESULT_WORDS: Record<StepStatus, string> = {
  'passed': 'ok',
  'failed': 'FAILED',
  'ignored': 'failed (ignored)',
  'skipped': 'skipped',
  'not-run': 'not run',
};

/** The human summary: one row per step, then what failed and why, then what was emulated. */
export function renderSummary(result: BakeResult): string {
  const rows = result.steps.map(step => [
    String(step.index),
    step.phase,
    step.component,
    step.step,
    step.action,
    RESULT_WORDS[step.status],
    step.status === 'not-run' ? '' : formatSeconds(step.seconds),
    [...(step.attempts > 1 ? [`${step.attempts} attempts`] : []), ...step.notes].join('; '),
  ]);
  const lines = [renderTable(['#', 'phase', 'component', 'step', 'action', 'result', 'time', 'notes'], rows)];
  for (const step of result.steps.filter(s => s.status === 'failed' || s.status === 'ignored')) {
    lines.push(`${step.phase} / ${step.component} / ${step.step} ${step.status === 'failed' ? 'failed' : 'failed (onFailure: Ignore)'}: ${step.reason ?? 'failed'}`);
    if (step.evidence) {
      lines.push(`  > ${step.evidence}`);
    }
    if (step.log) {
      lines.push(`  log: ${step.log}`);
    }
  }
  for (const skipped of result.skipped) {
    lines.push(`component ${skipped.label}: ${skipped.reason}`);
  }
  for (const note of result.notes) {
    lines.push(`note: ${note}`);
  }
  const counts = countBy(result.steps);
  const ran = result.steps.length - (counts['not-run'] ?? 0) - (counts.skipped ?? 0);
  const verdict = result.passed ? 'PASSED' : 'FAILED';
  lines.push(`${verdict}: ${counts.passed ?? 0} of ${ran} steps run passed (${result.phases.join(', ')}) in ${formatSeconds(result.seconds.total ?? 0)}`
    + ` on ${result.root.description}`);
  lines.push(`logs: ${result.logs}`);
  if (result.kept) {
    lines.push(`root kept in ${result.kept}`);
  }
  return `${lines.join('\n')}\n`;
}

function countBy(steps: readonly StepReport[]): Partial<Record<StepStatus, number>> {
  const counts: Partial<Record<StepStatus, number>> = {};
  for (const step of steps) {
    counts[step.status] = (counts[step.status] ?? 0) + 1;
  }
  return counts;
}

/** The live line and the plain line of a step. */
export function stepLabel(position: { index: number; total: number; phase: string; component: string; step: string }): string {
  return `[${position.index}/${position.total}] ${position.phase} · ${position.component} · ${position.step}`;
}
