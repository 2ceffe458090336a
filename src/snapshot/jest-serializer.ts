import { Stack } from 'aws-cdk-lib';
import { SnapshotTemplate } from './snapshot-template';

/*
 * A Jest snapshot serializer (not part of the jsii API: Jest loads it by module path) that prints
 * a Stack as `SnapshotTemplate.of(stack)` does, so `expect(stack).toMatchSnapshot()` is enough.
 * In jest.config (or package.json "jest"):
 *
 *   "snapshotSerializers": ["cdk-immutable-infra/lib/snapshot/jest-serializer"]
 */

/** What Jest passes a serializer to print the value it is given back into the snapshot. */
type Printer = (value: unknown, config: unknown, indentation: string, depth: number, refs: unknown) => string;

/** Whether this serializer prints `value`: any CDK Stack. */
export function test(value: unknown): boolean {
  return Stack.isStack(value);
}

/** The stack's snapshot template, printed by Jest's own printer. */
export function serialize(value: Stack, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer): string {
  return printer(SnapshotTemplate.of(value), config, indentation, depth, refs);
}
