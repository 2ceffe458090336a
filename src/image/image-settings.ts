import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/** An image's test and metadata settings, shared by its deploy-time build and its pipelines. */
export interface ImageSettings {
  readonly tests: boolean;
  readonly testTimeoutMinutes?: number;
  readonly enhancedImageMetadata: boolean;
}

/** Image Builder's limits on the image test timeout, in minutes. */
export const TEST_TIMEOUT_MINUTES = { min: 60, max: 1440 };

/** Checks a test timeout given to an image or a pipeline (tokens pass). */
export function checkTestTimeout(scope: IConstruct, timeout: Duration | undefined): void {
  if (timeout === undefined || timeout.isUnresolved()) {
    return;
  }
  const minutes = timeout.toMinutes({ integral: false });
  if (!Number.isInteger(minutes)) {
    invalidProp(scope, 'testTimeout', timeout.toHumanString(), 'Image Builder takes the test timeout in whole minutes', 'Give a Duration of whole minutes');
  }
  if (minutes < TEST_TIMEOUT_MINUTES.min || minutes > TEST_TIMEOUT_MINUTES.max) {
    invalidProp(scope, 'testTimeout', timeout.toHumanString(), `Image Builder takes ${TEST_TIMEOUT_MINUTES.min} to ${TEST_TIMEOUT_MINUTES.max} minutes`,
      'Give a Duration between one hour and one day');
  }
}
