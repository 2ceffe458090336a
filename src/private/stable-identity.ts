import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { canonicalJson } from './hash';

/**
 * Pseudo parameters are fixed for a given stack deployment, so an expression built only from
 * them and literals names the same value every time the stack deploys.
 */
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Intrinsics whose result is a pure function of their (checked) arguments. */
const PURE_INTRINSICS = new Set(['Fn::Join', 'Fn::Base64', 'Fn::Select', 'Fn::Split']);

/**
 * A synth-time identity for a value that may hold CDK tokens, or undefined when the value
 * depends on something only known at deploy time.
 *
 * Token placeholder text is never hashed: it changes when unrelated constructs are added.
 * Tokens are resolved to their CloudFormation expressions instead, and the expression counts
 * as an identity only when it is built from literals and pseudo parameters (the S3 location
 * of a CDK asset, for instance). A reference to a resource, parameter, mapping or import can
 * change value without changing the expression, so it has no identity.
 */
export function stableIdentity(scope: IConstruct, value: unknown): string | undefined {
  if (!Token.isUnresolved(value) && !containsToken(value)) {
    return canonicalJson(value);
  }
  const resolved = Stack.of(scope).resolve(value);
  return isStable(resolved) ? canonicalJson(resolved) : undefined;
}

/**
 * The identity of something a synth-time hash refers to (a role, a key, a listener, a
 * subnet): its value where that is fixed at synth time (an imported id or ARN), else the
 * path of the construct that makes it (a resource of this app, whose value is known only
 * once deployed and which stays the same resource as long as its path does).
 */
export function referenceIdentity(scope: IConstruct, value: string, construct: IConstruct): string {
  return stableIdentity(scope, value) ?? `construct:${construct.node.path}`;
}

function containsToken(value: unknown): boolean {
  if (Token.isUnresolved(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsToken);
  }
  if (value && typeof value === 'object') {
    return Object.values(value as object).some(containsToken);
  }
  return false;
}

function isStable(value: unknown): boolean {
  if (value === null || value === undefined || typeof value !== 'object') {
    return true;
  }
  if (Array.isArray(value)) {
    return value.every(isStable);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const intrinsic = entries.length === 1 ? entries[0] : undefined;
  if (intrinsic && (intrinsic[0] === 'Ref' || intrinsic[0].startsWith('Fn::'))) {
    const [name, args] = intrinsic;
    if (name === 'Ref') {
      return typeof args === 'string' && PSEUDO_PARAMETERS.has(args);
    }
    if (name === 'Fn::Sub') {
      return isStableSub(args);
    }
    return PURE_INTRINSICS.has(name) && isStable(args);
  }
  return entries.every(([, v]) => isStable(v));
}

/** Fn::Sub is stable when every `${Name}` it substitutes is a pseudo parameter or a stable variable. */
function isStableSub(args: unknown): boolean {
  const [template, variables] = Array.isArray(args) ? args : [args, {}];
  if (typeof template !== 'string' || (variables !== undefined && (typeof variables !== 'object' || variables === null))) {
    return false;
  }
  const vars = (variables ?? {}) as Record<string, unknown>;
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1];
    if (name.startsWith('!')) {
      continue; // ${!Literal} is escaped text, not a substitution
    }
    if (name in vars) {
      if (!isStable(vars[name])) {
        return false;
      }
    } else if (!PSEUDO_PARAMETERS.has(name)) {
      return false;
    }
  }
  return true;
}
