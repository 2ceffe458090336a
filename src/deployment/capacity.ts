import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { MAX_GROUP_SIZE } from '../release-contract/limits';

/**
 * The size bounds of every generation's Auto Scaling group.
 */
export interface CapacityOptions {
  /** The fewest instances a generation runs. */
  readonly min: number;

  /** The most instances a generation runs (scaling never goes above it). */
  readonly max: number;

  /**
   * How many instances the first generation starts with. Later generations start as large
   * as the live one is at release time, so a release never shrinks a fleet that scaled out.
   * It is never written to the template: the release controller sets it.
   *
   * @default - `min`, and at least 1
   */
  readonly desired?: number;
}

/** Checks capacity bounds at synth; token values are left to CloudFormation. */
export function validateCapacity(scope: IConstruct, capacity: CapacityOptions): void {
  const { min, max, desired } = capacity;
  const known = (v: number | undefined): v is number => v !== undefined && !Token.isUnresolved(v);
  for (const [name, value] of [['min', min], ['max', max], ['desired', desired]] as const) {
    if (known(value) && (!Number.isInteger(value) || value < 0 || value > MAX_GROUP_SIZE)) {
      invalidProp(scope, `capacity.${name}`, value, `an instance count is a whole number from 0 to ${MAX_GROUP_SIZE}`, `Give capacity.${name} a whole number of instances`);
    }
  }
  if (known(max) && max < 1) {
    invalidProp(scope, 'capacity.max', max, 'a generation needs at least one instance to take traffic', 'Give capacity.max 1 or more');
  }
  if (known(min) && known(max) && min > max) {
    invalidProp(scope, 'capacity.min', min, `it is larger than capacity.max (${max})`, `Lower capacity.min to ${max} or less, or raise capacity.max to ${min} or more`);
  }
  if (known(desired) && ((known(min) && desired < min) || (known(max) && desired > max))) {
    invalidProp(scope, 'capacity.desired', desired, `it lies outside capacity.min..capacity.max (${min}..${max})`,
      `Give capacity.desired a value from ${min} to ${max}, or leave it unset to start with capacity.min`);
  }
}
