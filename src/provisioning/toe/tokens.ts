import { Token, Tokenization } from 'aws-cdk-lib';

/**
 * CDK tokens inside component documents. Their values are known only at deploy time, so the
 * validator skips checks on them rather than guess, and the renderer keeps them resolvable.
 */

/** Whether a string holds a token anywhere, or a number is one. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/**
 * A number token as text that still resolves: a number token written out with String() would
 * be its placeholder value (about -1.9e+289), which CloudFormation would receive as is.
 */
export function numberTokenText(value: number): string {
  return Tokenization.stringifyNumber(value);
}
