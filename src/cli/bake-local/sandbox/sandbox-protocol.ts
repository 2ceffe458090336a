import { BakePlan } from '../plan';
import { StepPosition, StepReport } from '../runner/step-report';

/** The internal command the command line runs itself as, inside the sandbox. */
export const SANDBOX_COMMAND = '__bake-local-sandbox';

/** What the host asks the sandbox to do (sent as JSON on its standard input). */
export interface SandboxRequest {
  readonly plan: BakePlan;
  /** The cached (or given) root: the overlay's lowest, read-only layer. */
  readonly root: string;
  /** An empty folder the sandbox mounts its private tmpfs on (inside its own mount namespace). */
  readonly mountPoint: string;
  readonly logDir: string;
  readonly test: boolean;
  /** Where to copy the resulting root (a folder that does not exist yet), when `--keep` is given. */
  readonly keepTo?: string;
}

/** What the sandbox tells the host, one JSON object per line on file descriptor 3. */
export type SandboxEvent =
  | { readonly type: 'hello'; readonly hostPid: number }
  | { readonly type: 'step-started'; readonly position: StepPosition }
  | { readonly type: 'step-ended'; readonly report: StepReport }
  | { readonly type: 'done'; readonly result: SandboxResult };

export interface SandboxResult {
  readonly passed: boolean;
  readonly steps: readonly StepReport[];
  /** What the emulation did around the steps (stand-ins, phases not run), for the report. */
  readonly notes: readonly string[];
  /** Seconds spent per stage. */
  readonly seconds: Readonly<Record<string, number>>;
  /** Whether `keepTo` was written. */
  readonly kept: boolean;
}

/** The file descriptor the sandbox writes events to. */
export const EVENT_FD = 3;
