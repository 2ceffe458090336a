/**
 * The model of an AWSTOE component document (the YAML that an `AWS::ImageBuilder::Component`
 * carries in `Data`). Field names are the document's own, so a model serialises to the
 * document without renaming. Internal to the library: not exported from `src/index.ts`.
 */

/** Phases AWSTOE knows. Image Builder runs `build` and `validate` in its build stage and `test` in its test stage. */
export type ToePhaseName = 'build' | 'validate' | 'test' | 'container-host-test';

/** What a failed step does to the rest of the document. */
export type ToeOnFailure = 'Abort' | 'Continue' | 'Ignore';

/** The platforms that can run a component (macOS is out of scope for this library). */
export type ToePlatform = 'Linux' | 'Windows';

export const TOE_PHASE_NAMES: readonly ToePhaseName[] = ['build', 'validate', 'test', 'container-host-test'];
export const TOE_ON_FAILURE_VALUES: readonly ToeOnFailure[] = ['Abort', 'Continue', 'Ignore'];
export const TOE_PLATFORMS: readonly ToePlatform[] = ['Linux', 'Windows'];

/** The only schema version AWSTOE has. */
export const TOE_SCHEMA_VERSION = '1.0';

export interface ToeStep {
  readonly name: string;
  readonly action: string;
  /** Seconds before the step fails or retries; -1 means no limit. AWSTOE's default is 7200. */
  readonly timeoutSeconds?: number;
  readonly onFailure?: ToeOnFailure;
  readonly maxAttempts?: number;
  /** `{ name?, for: { start, end, updateBy } }` or `{ name?, forEach: [...] | { list, delimiter? } }`. */
  readonly loop?: unknown;
  /** A conditional construct: the step runs only when it holds. */
  readonly if?: unknown;
  /** A map or a list of maps, depending on the action. */
  readonly inputs?: unknown;
}

export interface ToePhase {
  readonly name: ToePhaseName;
  readonly steps: ToeStep[];
}

export interface ToeParameterDefinition {
  type: string;
  default?: unknown;
  description?: string;
}

export interface ToeConstantDefinition {
  type: string;
  value: unknown;
}

export interface ToeDocument {
  readonly name?: string;
  readonly description?: string;
  readonly schemaVersion: string | number;
  /** Each entry is a single-key map from the parameter's name to its definition. */
  readonly parameters?: Array<Record<string, ToeParameterDefinition>>;
  /** Each entry is a single-key map from the constant's name to its definition. */
  readonly constants?: Array<Record<string, ToeConstantDefinition>>;
  readonly phases: ToePhase[];
}
