import { Finding, FindingRule } from './findings';
import { ISchemaRegistry } from './registry';
import { didYouMean } from './suggest';

/** The names a template declares, which its references must resolve to. */
export interface TemplateNames {
  /** Logical id to resource type. */
  readonly resources: ReadonlyMap<string, string>;
  readonly parameters: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  readonly mappings: ReadonlySet<string>;
}

/** CloudFormation's pseudo parameters: always resolvable by `Ref`. */
export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);

/** Every intrinsic and rule function CloudFormation documents (the last group only in Rules). */
const INTRINSICS: ReadonlySet<string> = new Set([
  'Ref', 'Fn::Base64', 'Fn::Cidr', 'Fn::FindInMap', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::ImportValue',
  'Fn::Join', 'Fn::Length', 'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Fn::ToJsonString', 'Fn::Transform',
  'Fn::If', 'Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or',
  'Fn::Contains', 'Fn::EachMemberEquals', 'Fn::EachMemberIn', 'Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll',
]);

/**
 * The function name when `value` is an intrinsic function call: an object with exactly one
 * key that is `Ref` or starts with `Fn::`. Such a value stands for whatever type the position
 * wants (CloudFormation resolves it before the resource provider validates), so the type
 * checks skip it and only its references are checked.
 */
export function intrinsicName(value: unknown): string | undefined {
  if (!isPlainObject(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return undefined;
  }
  return keys[0] === 'Ref' || keys[0].startsWith('Fn::') ? keys[0] : undefined;
}

/** `{ "Ref": "AWS::NoValue" }`: the property is treated as not set. */
export function isNoValue(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && value.Ref === 'AWS::NoValue';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that every reference inside a value (at any depth) resolves within its template. */
export class ReferenceChecker {
  constructor(
    private readonly names: TemplateNames,
    private readonly registry: ISchemaRegistry,
    private readonly report: (finding: Finding) => void,
  ) {}

  /** Walks any JSON value and checks each intrinsic function call found in it. */
  public walk(value: unknown, path: string, logicalId?: string): void {
    const name = intrinsicName(value);
    if (name !== undefined) {
      this.checkCall(name, (value as Record<string, unknown>)[name], path, logicalId);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.walk(item, `${path}[${i}]`, logicalId));
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        this.walk(item, `${path}.${key}`, logicalId);
      }
    }
  }

  /** Checks a condition name used by `Fn::If` or a `Condition` key. */
  public checkConditionName(condition: unknown, path: string, logicalId?: string): void {
    if (typeof condition === 'string' && !this.names.conditions.has(condition)) {
      this.report({
        rule: FindingRule.UNKNOWN_CONDITION,
        path,
        logicalId,
        message: `condition "${condition}" is not declared in Conditions.${didYouMean(condition, this.names.conditions)}`,
      });
    }
  }

  private checkCall(name: string, args: unknown, path: string, logicalId?: string): void {
    const at = `${path}.${name}`;
    if (!INTRINSICS.has(name)) {
      this.report({
        rule: FindingRule.UNKNOWN_INTRINSIC,
        path,
        logicalId,
        message: `"${name}" is not an intrinsic function.${didYouMean(name, INTRINSICS)}`,
      });
    }
    switch (name) {
      case 'Ref':
        this.checkRef(args, at, logicalId);
        return;
      case 'Fn::GetAtt':
        this.checkGetAtt(args, at, logicalId);
        return;
      case 'Fn::Sub':
        this.checkSub(args, at, logicalId);
        return;
      case 'Fn::If':
        if (Array.isArray(args)) {
          this.checkConditionName(args[0], `${at}[0]`, logicalId);
          args.slice(1).forEach((branch, i) => this.walk(branch, `${at}[${i + 1}]`, logicalId));
        }
        return;
      case 'Fn::FindInMap':
        if (Array.isArray(args) && typeof args[0] === 'string' && !this.names.mappings.has(args[0])) {
          this.report({
            rule: FindingRule.UNKNOWN_MAPPING,
            path: `${at}[0]`,
            logicalId,
            message: `mapping "${args[0]}" is not declared in Mappings.${didYouMean(args[0], this.names.mappings)}`,
          });
        }
        this.walk(args, at, logicalId);
        return;
      default:
        this.walkArguments(args, at, logicalId);
    }
  }

  /** Arguments of other functions, where a `{ "Condition": name }` may also appear (Fn::And, Fn::Or, Fn::Not). */
  private walkArguments(args: unknown, path: string, logicalId?: string): void {
    if (Array.isArray(args)) {
      args.forEach((arg, i) => {
        if (isPlainObject(arg) && Object.keys(arg).length === 1 && 'Condition' in arg) {
          this.checkConditionName(arg.Condition, `${path}[${i}].Condition`, logicalId);
        } else {
          this.walk(arg, `${path}[${i}]`, logicalId);
        }
      });
    } else {
      this.walk(args, path, logicalId);
    }
  }

  private checkRef(target: unknown, path: string, logicalId?: string): void {
    if (typeof target !== 'string') {
      this.walk(target, path, logicalId);
      return;
    }
    if (PSEUDO_PARAMETERS.has(target) || this.names.parameters.has(target) || this.names.resources.has(target)) {
      return;
    }
    const known = [...this.names.parameters, ...this.names.resources.keys(), ...PSEUDO_PARAMETERS];
    this.report({
      rule: FindingRule.UNRESOLVED_REFERENCE,
      path,
      logicalId,
      message: `Ref to "${target}", which is no resource, parameter or pseudo parameter of this template.${didYouMean(target, known)}`,
    });
  }

  private checkGetAtt(args: unknown, path: string, logicalId?: string): void {
    let target: unknown;
    let attribute: unknown;
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      [target, attribute] = dot < 0 ? [args, undefined] : [args.slice(0, dot), args.slice(dot + 1)];
    } else if (Array.isArray(args) && args.length === 2) {
      [target, attribute] = args;
    } else {
      this.report({
        rule: FindingRule.WRONG_TYPE,
        path,
        logicalId,
        message: 'Fn::GetAtt takes [logicalId, attributeName] or "logicalId.attributeName".',
      });
      return;
    }
    if (typeof target !== 'string') {
      return;
    }
    const type = this.names.resources.get(target);
    if (type === undefined) {
      const what = this.names.parameters.has(target) ? 'a parameter, not a resource' : 'no resource of this template';
      this.report({
        rule: FindingRule.UNRESOLVED_REFERENCE,
        path,
        logicalId,
        message: `Fn::GetAtt on "${target}", which is ${what}.${didYouMean(target, this.names.resources.keys())}`,
      });
      return;
    }
    if (typeof attribute === 'string') {
      this.checkAttribute(target, type, attribute, path, logicalId);
    } else {
      this.walk(attribute, path, logicalId);
    }
  }

  private checkAttribute(target: string, type: string, attribute: string, path: string, logicalId?: string): void {
    if (isCustomResourceType(type) || (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.'))) {
      return;
    }
    const resource = this.registry.resource(type);
    if (resource === undefined || attribute in resource.attributes) {
      return; // an unknown type is reported once, where it is declared
    }
    const attributes = Object.keys(resource.attributes);
    this.report({
      rule: FindingRule.UNKNOWN_ATTRIBUTE,
      path,
      logicalId,
      message: `${type} "${target}" has no attribute "${attribute}" (it has: ${attributes.join(', ') || 'none'}).${didYouMean(attribute, attributes)}`,
    });
  }

  private checkSub(args: unknown, path: string, logicalId?: string): void {
    let text: unknown = args;
    let locals: Record<string, unknown> = {};
    if (Array.isArray(args)) {
      [text] = args;
      if (isPlainObject(args[1])) {
        locals = args[1];
        this.walk(locals, `${path}[1]`, logicalId);
      }
    }
    if (typeof text !== 'string') {
      this.walk(text, path, logicalId);
      return;
    }
    // ${!Literal} is an escaped literal; everything else between ${ and } is a variable.
    for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
      const variable = match[1].trim();
      if (variable in locals) {
        continue;
      }
      const dot = variable.indexOf('.');
      if (dot < 0) {
        this.checkRef(variable, path, logicalId);
      } else {
        this.checkGetAtt([variable.slice(0, dot), variable.slice(dot + 1)], path, logicalId);
      }
    }
  }
}

/** Custom resources take any properties and have any attributes. */
export function isCustomResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}
