import { ColdSample } from './cold';
import { HandlerResults } from './handlers';
import { InstructionResults } from './instructions';
import { Economy, Spread, Spreads, SynthSample } from './measure';

export type Mode = 'on' | 'off';

/** `<case id>@<count>`: one case with a number of images in one stack. */
export type CaseKey = string;

export function caseKey(caseId: string, count: number): CaseKey {
  return `${caseId}@${count}`;
}

export type WarmFigures = Spreads<SynthSample> & { readonly ratioToFloor: number };
export type ColdFigures = Record<keyof ColdSample, Spread> & { readonly ratioToFloor: number };

/** Marginal cost of one more image: from 1 to 10 images, and from 10 to 50. */
export interface Growth {
  readonly perImageMsAt10: number;
  readonly perImageMsAt50: number;
  /** perImageMsAt50 / perImageMsAt10: 1 is linear, above 1 grows faster than linear. */
  readonly ratio: number;
}

export interface Losses {
  /** The peer's figure is better and, for measured ones, the min–max ranges do not overlap. */
  readonly clear: string[];
  /** Timed or sampled figures whose medians favour the peer but whose ranges overlap ours. */
  readonly withinNoise: string[];
}

export interface CaseInfo {
  readonly id: string;
  readonly label: string;
  readonly package?: string;
  readonly addsByDefault: string;
}

export interface BenchResults {
  readonly date: string;
  readonly command: string;
  readonly machine: {
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly awsCdkLib: string;
    /** One-minute load average when the run started and ended. */
    readonly loadAverage: { readonly start: number; readonly end: number };
  };
  readonly settings: {
    readonly warmRuns: number;
    readonly coldRuns: number;
    readonly importRuns: number;
    readonly counts: number[];
    readonly seconds?: number;
    /** Wall time of each part of the run. */
    readonly phaseSeconds?: Record<string, number>;
  };
  readonly cases: CaseInfo[];
  readonly economy: {
    readonly images: Record<string, Record<number, Economy>>;
    readonly deployments: Record<number, Economy>;
  };
  readonly validation: {
    /** What `new App()` does with the environment as the benchmark found it. */
    readonly defaultOn: boolean;
    readonly appProperty: boolean;
    readonly envVariable?: string;
    /** Validator calls per synthesis seen by the spy, over all warm runs of each mode. */
    readonly callsPerSynth: Record<Mode, Spread>;
  };
  readonly synth: {
    readonly warm: Record<Mode, Record<CaseKey, WarmFigures>>;
    readonly cold: Record<Mode, Record<CaseKey, ColdFigures>>;
  };
  /** Whole processes, validation off, counted under valgrind: repeatable where the timings are not. */
  readonly instructions: InstructionResults;
  /** By measurement, then by case id. */
  readonly growth: Record<string, Record<string, Growth>>;
  readonly handlers: HandlerResults;
  readonly releaseTimeline: unknown;
  /** Every figure where a peer does better than us, in words. */
  readonly losses: Losses;
}
