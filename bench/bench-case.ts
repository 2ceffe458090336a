import { Stack } from 'aws-cdk-lib';

/** Adds the `index`th copy of a case's image (or deployment) to a stack. */
export type ImageBuilder = (stack: Stack, index: number) => void;

/** One way of building the benchmark image, with what it brings along. */
export interface BenchCase {
  /** Short name, used on child processes' command lines and as the JSON key. */
  readonly id: string;
  /** Name in the tables. */
  readonly label: string;
  /** npm package and version, for the peers. */
  readonly package?: string;
  /**
   * Loads the case's module only when asked, so that a whole-process run loads one library,
   * as an app using it would.
   */
  readonly load: () => ImageBuilder;
  /** What the case synthesises beyond the image itself, by default. */
  readonly addsByDefault: string;
}
