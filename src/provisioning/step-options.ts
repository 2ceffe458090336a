import { Duration } from 'aws-cdk-lib';

/**
 * What AWSTOE does when a step fails.
 */
export enum StepFailureAction {
  /** Stop the build and fail it (AWSTOE's default). */
  ABORT = 'Abort',
  /** Record the failure and go on with the next step; the component still reports a failure. */
  CONTINUE = 'Continue',
  /** Treat the failure as success and go on. */
  IGNORE = 'Ignore',
}

/**
 * Settings every provisioner step takes.
 */
export interface StepOptions {
  /**
   * A name for the provisioner. It names the Image Builder component and its step, so it must
   * be unique in the image: letters, digits, hyphens and underscores.
   *
   * @default - the kind of provisioner and its position, e.g. `shell-2`
   */
  readonly name?: string;

  /**
   * How long the step may run before AWSTOE fails it (Packer's `timeout`).
   *
   * @default Duration.hours(2) (AWSTOE's default)
   */
  readonly timeout?: Duration;

  /**
   * How many times AWSTOE tries the step before it counts as failed (Packer's `max_retries` + 1).
   *
   * @default 1
   */
  readonly maxAttempts?: number;

  /**
   * What happens when the step fails.
   *
   * @default StepFailureAction.ABORT
   */
  readonly onFailure?: StepFailureAction;
}
