import { StagedAsset } from '../../assembly/cloud-assembly';
import { Guest } from '../sandbox/guest';

/** What an action emulator gets to run one step (one loop iteration). */
export interface ActionContext {
  readonly guest: Guest;
  /** The step's inputs with every expression already substituted. */
  readonly inputs: unknown;
  /** The recipe's working directory, where commands start and relative paths begin. */
  readonly workingDirectory: string;
  /** The app's staged file assets, by `s3://bucket/key`. */
  readonly assets: Readonly<Record<string, StagedAsset>>;
  /** Milliseconds since the epoch when the step's time is up (timeoutSeconds). */
  readonly deadline?: number;
  /** Appends to the step's log file. */
  readonly log: (text: string) => void;
}

/** How a step (iteration) went. */
export interface ActionOutcome {
  readonly ok: boolean;
  /** What chaining expressions can read (`stdout`, `content`, `files`, ...). */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Why it failed, in a few words. */
  readonly reason?: string;
  /** The line of output that shows why it failed. */
  readonly evidence?: string;
  readonly exitCode?: number;
  /** A restart the step asks for: `then-next` (Reboot) or `then-again` (exit code 194). */
  readonly reboot?: 'then-next' | 'then-again';
  /** What the emulation did differently from AWS, for the report. */
  readonly notes?: readonly string[];
}

/** Emulates one AWSTOE action module. */
export interface ActionEmulator {
  run(context: ActionContext): Promise<ActionOutcome>;
}

/** A failed outcome. */
export function failed(reason: string, extra: Omit<ActionOutcome, 'ok' | 'reason'> = {}): ActionOutcome {
  return { ok: false, reason, ...extra };
}

/** The list of operation maps a list-shaped action takes (one map is taken as a list of one). */
export function operations(inputs: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return list.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item));
}

/** A boolean input, which documents may also write as a string. */
export function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') {
    return fallback;
  }
  return value === true || String(value).toLowerCase() === 'true';
}

/** A required string input. */
export function text(value: unknown, name: string): string {
  if (value === undefined || value === null || value === '') {
    throw new Error(`${name} is required`);
  }
  return String(value);
}

/** Runs each operation in turn; the first that throws fails the step with its message. */
export async function eachOperation(inputs: unknown, run: (operation: Record<string, unknown>) => void | Promise<void>): Promise<ActionOutcome> {
  for (const operation of operations(inputs)) {
    try {
      await run(operation);
    } catch (e) {
      return failed(e instanceof Error ? e.message : String(e));
    }
  }
  return { ok: true };
}
