import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Formats a synth-time error that says where (construct path), what (prop and value),
 * why (problem) and what to do (fix).
 */
export function invalidPropMessage(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string): string {
  return `${scope.node.path}: invalid ${prop} ${describeValue(value)}: ${problem}. ${fix}`;
}

/** Throws the error formatted by {@link invalidPropMessage}. */
export function invalidProp(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string): never {
  throw new Error(invalidPropMessage(scope, prop, value, problem, fix));
}

/** Renders a user value for an error message without dumping large structures. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return '(not set)';
  }
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) {
      return '(a token)';
    }
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return `'${shown}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}

/** True where a value can be checked at synth (not a token). */
export function isConcrete(value: unknown): boolean {
  if (value === undefined || value === null) {
    return false;
  }
  return !Token.isUnresolved(value);
}
