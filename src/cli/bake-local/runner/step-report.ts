import { ToePhaseName } from '../../../provisioning/toe/component-document';

/** How a step ended: `ignored` failed under onFailure Ignore; `skipped` by its `if`; `not-run` after an earlier failure. */
export type StepStatus = 'passed' | 'failed' | 'ignored' | 'skipped' | 'not-run';

/** Which step, in the bake's order. */
export interface StepPosition {
  /** 1-based position among all the steps of the bake. */
  readonly index: number;
  readonly total: number;
  readonly phase: ToePhaseName;
  readonly component: string;
  readonly step: string;
  readonly action: string;
}

export interface StepReport extends StepPosition {
  readonly status: StepStatus;
  readonly seconds: number;
  /** Attempts made (maxAttempts). */
  readonly attempts: number;
  readonly exitCode?: number;
  /** Why it failed. */
  readonly reason?: string;
  /** The line of output that shows why. */
  readonly evidence?: string;
  /** What the emulation did for it (a restart, the systemctl stand-in, ...). */
  readonly notes: readonly string[];
  /** Its log file. */
  readonly log?: string;
}

/** Progress messages from the runner. */
export interface RunnerEvents {
  stepStarted(position: StepPosition): void;
  stepEnded(report: StepReport): void;
}
