import { Finding, FindingRule } from './findings';
import { intrinsicName, isCustomResourceType, isNoValue, isPlainObject, ReferenceChecker, TemplateNames } from './references';
import { awsServiceSpecRegistry, ISchemaRegistry, SpecProperty, SpecType } from './registry';
import { didYouMean } from './suggest';

/** Options of {@link checkTemplate}. */
export interface CheckTemplateOptions {
  /**
   * Where resource types come from.
   *
   * @default - the CloudFormation resource schemas in @aws-cdk/aws-service-spec, loaded once per process
   */
  readonly registry?: ISchemaRegistry;
}

const SECTIONS = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings',
  'Conditions', 'Transform', 'Resources', 'Outputs', 'Hooks',
]);
const RESOURCE_KEYS = new Set([
  'Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy',
  'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy',
]);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];

/** A literal number, or a string CloudFormation converts to one. */
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Checks a synthesised CloudFormation template against the CloudFormation resource schemas
 * and returns every problem found (none for a good template).
 *
 * Checked: top-level sections; resource types; the keys of each resource entry, DependsOn and
 * Condition; every property at every depth, including the ones aws-cdk-lib's L1 classes pass
 * through untyped (unknown and misspelt names, required ones missing, types, enums); every
 * `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `Fn::If` condition and `Fn::FindInMap` mapping,
 * in resources, outputs, conditions and rules.
 *
 * Types follow what CloudFormation accepts rather than the letter of the JSON schema:
 * - an intrinsic function call is accepted for any type (its references are still checked),
 *   except `Fn::If`, whose two branches are each checked against the type;
 * - `{ "Ref": "AWS::NoValue" }` counts as the property not being set;
 * - numbers and booleans are accepted where a string goes, and numeric strings where a number
 *   goes, "true"/"false" where a boolean goes: CloudFormation converts these scalars before the
 *   resource provider sees them (CDK itself renders many numbers as strings);
 * - an object or a list is never accepted where a scalar goes, nor a scalar where an object or
 *   a list goes; an integer must be whole;
 * - a property typed `json` (policy documents, free-form settings) takes any value;
 * - custom resources (`Custom::*`) take any properties but need a ServiceToken.
 */
export function checkTemplate(template: unknown, options: CheckTemplateOptions = {}): Finding[] {
  return new TemplateChecker(options.registry ?? awsServiceSpecRegistry()).check(template);
}

class TemplateChecker {
  private readonly findings: Finding[] = [];
  private references!: ReferenceChecker;

  constructor(private readonly registry: ISchemaRegistry) {}

  public check(template: unknown): Finding[] {
    if (!isPlainObject(template)) {
      this.report(FindingRule.TEMPLATE_STRUCTURE, '$', 'a template is a JSON object.');
      return this.findings;
    }
    this.checkSections(template);
    const resources = isPlainObject(template.Resources) ? template.Resources : {};
    const names = templateNames(template, resources);
    this.references = new ReferenceChecker(names, this.registry, f => this.findings.push(f));

    for (const [logicalId, resource] of Object.entries(resources)) {
      this.checkResource(logicalId, resource, names);
    }
    this.checkOutputs(template.Outputs);
    this.references.walk(template.Conditions, 'Conditions');
    this.references.walk(template.Rules, 'Rules');
    return this.findings;
  }

  private checkSections(template: Record<string, unknown>): void {
    for (const section of Object.keys(template)) {
      if (!SECTIONS.has(section)) {
        this.report(FindingRule.TEMPLATE_STRUCTURE, section, `"${section}" is not a template section.${didYouMean(section, SECTIONS)}`);
      }
    }
    if (!isPlainObject(template.Resources) || Object.keys(template.Resources).length === 0) {
      this.report(FindingRule.TEMPLATE_STRUCTURE, 'Resources', 'a template needs at least one resource.');
    }
  }

  private checkResource(logicalId: string, resource: unknown, names: TemplateNames): void {
    const path = `Resources.${logicalId}`;
    if (!isPlainObject(resource)) {
      this.report(FindingRule.TEMPLATE_STRUCTURE, path, 'a resource is an object with a Type.', logicalId);
      return;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) {
        this.report(FindingRule.UNKNOWN_RESOURCE_ATTRIBUTE, `${path}.${key}`, `"${key}" is not a resource attribute.${didYouMean(key, RESOURCE_KEYS)}`, logicalId);
      }
    }
    this.checkPolicy(resource.DeletionPolicy, DELETION_POLICIES, `${path}.DeletionPolicy`, logicalId);
    this.checkPolicy(resource.UpdateReplacePolicy, UPDATE_REPLACE_POLICIES, `${path}.UpdateReplacePolicy`, logicalId);
    this.checkDependsOn(resource.DependsOn, logicalId, names);
    if (resource.Condition !== undefined) {
      this.references.checkConditionName(resource.Condition, `${path}.Condition`, logicalId);
    }
    this.checkProperties(logicalId, resource.Type, resource.Properties);
  }

  private checkPolicy(value: unknown, allowed: readonly string[], path: string, logicalId: string): void {
    if (value !== undefined && intrinsicName(value) === undefined && !allowed.includes(value as string)) {
      this.report(FindingRule.UNKNOWN_RESOURCE_ATTRIBUTE, path, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}.`, logicalId);
    }
  }

  private checkDependsOn(dependsOn: unknown, logicalId: string, names: TemplateNames): void {
    if (dependsOn === undefined) {
      return;
    }
    const path = `Resources.${logicalId}.DependsOn`;
    const targets = typeof dependsOn === 'string' ? [dependsOn] : dependsOn;
    if (!Array.isArray(targets) || targets.some(t => typeof t !== 'string')) {
      this.report(FindingRule.WRONG_TYPE, path, 'DependsOn is a logical id or a list of logical ids.', logicalId);
      return;
    }
    for (const target of targets as string[]) {
      if (!names.resources.has(target) || target === logicalId) {
        const why = target === logicalId ? 'the resource itself' : 'no resource of this template';
        this.report(FindingRule.UNKNOWN_DEPENDS_ON, path, `DependsOn "${target}", which is ${why}.${didYouMean(target, names.resources.keys())}`, logicalId);
      }
    }
  }

  private checkProperties(logicalId: string, type: unknown, properties: unknown): void {
    const path = `Resources.${logicalId}`;
    if (typeof type !== 'string') {
      this.report(FindingRule.TEMPLATE_STRUCTURE, `${path}.Type`, 'a resource needs a Type string.', logicalId);
      return;
    }
    const propertiesPath = `${path}.Properties`;
    if (isCustomResourceType(type)) {
      if (!isPlainObject(properties) || properties.ServiceToken === undefined) {
        this.report(FindingRule.MISSING_REQUIRED_PROPERTY, propertiesPath, `${type} needs a ServiceToken.`, logicalId);
      }
      this.references.walk(properties, propertiesPath, logicalId);
      return;
    }
    if (type === 'AWS::CDK::Metadata') {
      return; // CDK's analytics resource: handled by CloudFormation itself, in no registry
    }
    const schema = this.registry.resource(type);
    if (schema === undefined) {
      this.report(FindingRule.UNKNOWN_RESOURCE_TYPE, `${path}.Type`,
        `CloudFormation has no resource type "${type}".${didYouMean(type, this.registry.resourceTypeNames())}`, logicalId);
      this.references.walk(properties, propertiesPath, logicalId);
      return;
    }
    this.checkObject(properties ?? {}, schema.properties, type, propertiesPath, logicalId);
  }

  private checkOutputs(outputs: unknown): void {
    if (!isPlainObject(outputs)) {
      return;
    }
    for (const [name, output] of Object.entries(outputs)) {
      if (isPlainObject(output) && output.Condition !== undefined) {
        this.references.checkConditionName(output.Condition, `Outputs.${name}.Condition`);
      }
      this.references.walk(output, `Outputs.${name}`);
    }
  }

  /** An object value against the properties of a resource or of a named property type. */
  private checkObject(value: unknown, properties: Readonly<Record<string, SpecProperty>>, typeName: string, path: string, logicalId: string): void {
    if (intrinsicName(value) !== undefined) {
      this.checkIntrinsic(value as Record<string, unknown>, undefined, path, logicalId);
      return;
    }
    if (!isPlainObject(value)) {
      this.report(FindingRule.WRONG_TYPE, path, `expected an object (${typeName}), got ${describe(value)}.`, logicalId);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const property = properties[key];
      if (property === undefined) {
        this.report(FindingRule.UNKNOWN_PROPERTY, `${path}.${key}`,
          `${typeName} has no property "${key}".${didYouMean(key, Object.keys(properties))}`, logicalId);
        this.references.walk(item, `${path}.${key}`, logicalId);
      } else if (!isNoValue(item)) {
        this.checkValue(item, property.type, `${path}.${key}`, `${typeName}.${key}`, logicalId);
      }
    }
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && (value[key] === undefined || isNoValue(value[key]))) {
        this.report(FindingRule.MISSING_REQUIRED_PROPERTY, path, `${typeName} requires "${key}".`, logicalId);
      }
    }
  }

  private checkValue(value: unknown, type: SpecType, path: string, what: string, logicalId: string): void {
    if (intrinsicName(value) !== undefined) {
      this.checkIntrinsic(value as Record<string, unknown>, type, path, logicalId, what);
      return;
    }
    switch (type.type) {
      case 'json':
        this.references.walk(value, path, logicalId);
        return;
      case 'string':
      case 'date-time':
        this.checkScalar(value, path, what, logicalId, 'a string', () => true);
        if ('allowedValues' in type && type.allowedValues && isScalar(value)) {
          this.checkEnum(String(value), type.allowedValues, path, what, logicalId);
        }
        return;
      case 'integer':
      case 'number':
        this.checkScalar(value, path, what, logicalId, `a${type.type === 'integer' ? 'n integer' : ' number'}`,
          v => (typeof v === 'number' || (typeof v === 'string' && NUMERIC.test(v.trim())))
            && (type.type === 'number' || Number.isInteger(Number(v))));
        if ('allowedValues' in type && type.allowedValues && isScalar(value)) {
          this.checkEnum(Number(value), type.allowedValues, path, what, logicalId);
        }
        return;
      case 'boolean':
        this.checkScalar(value, path, what, logicalId, 'a boolean',
          v => typeof v === 'boolean' || (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())));
        return;
      case 'null':
        if (value !== null) {
          this.report(FindingRule.WRONG_TYPE, path, `${what} must be null, got ${describe(value)}.`, logicalId);
        }
        return;
      case 'tag':
        this.checkObject(value, TAG_PROPERTIES, 'Tag', path, logicalId);
        return;
      case 'ref':
        this.checkDefinition(value, type.reference, path, logicalId);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          this.report(FindingRule.WRONG_TYPE, path, `${what} must be a list, got ${describe(value)}.`, logicalId);
          return;
        }
        value.forEach((item, i) => this.checkValue(item, type.element, `${path}[${i}]`, what, logicalId));
        return;
      case 'map':
        if (!isPlainObject(value)) {
          this.report(FindingRule.WRONG_TYPE, path, `${what} must be a map (an object), got ${describe(value)}.`, logicalId);
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          this.checkValue(item, type.element, `${path}.${key}`, what, logicalId);
        }
        return;
      case 'union':
        this.checkUnion(value, type.types, path, what, logicalId);
        return;
    }
  }

  private checkDefinition(value: unknown, reference: { readonly $ref: string }, path: string, logicalId: string): void {
    const definition = this.registry.typeDefinition(reference);
    if (Object.keys(definition.properties).length === 0) {
      // A schema object without declared properties is open: any keys.
      this.references.walk(value, path, logicalId);
      return;
    }
    this.checkObject(value, definition.properties, definition.name, path, logicalId);
  }

  /**
   * A value that satisfies any member is fine. Otherwise the findings come from the member of
   * the value's own shape (object, list or scalar) with the fewest, or, when no member has that
   * shape, one wrong-type finding.
   */
  private checkUnion(value: unknown, members: readonly SpecType[], path: string, what: string, logicalId: string): void {
    let closest: Finding[] | undefined;
    for (const member of members) {
      const trial = new TemplateChecker(this.registry);
      trial.references = new ReferenceChecker(NO_NAMES, this.registry, () => undefined);
      trial.checkValue(value, member, path, what, logicalId);
      if (trial.findings.length === 0) {
        closest = [];
        break;
      }
      if (shapeOfType(member) === shapeOfValue(value) && (closest === undefined || trial.findings.length < closest.length)) {
        closest = trial.findings;
      }
    }
    if (closest === undefined) {
      const shapes = [...new Set(members.map(shapeOfType))].join(' or ');
      this.report(FindingRule.WRONG_TYPE, path, `${what} must be ${shapes}, got ${describe(value)}.`, logicalId);
    } else {
      this.findings.push(...closest);
    }
    this.references.walk(value, path, logicalId);
  }

  /** An intrinsic stands for any type; Fn::If's branches are each checked against the type. */
  private checkIntrinsic(call: Record<string, unknown>, type: SpecType | undefined, path: string, logicalId: string, what?: string): void {
    const args = call['Fn::If'];
    if (type === undefined || !Array.isArray(args) || args.length !== 3) {
      this.references.walk(call, path, logicalId);
      return;
    }
    this.references.checkConditionName(args[0], `${path}.Fn::If[0]`, logicalId);
    for (const i of [1, 2]) {
      if (!isNoValue(args[i])) {
        this.checkValue(args[i], type, `${path}.Fn::If[${i}]`, what ?? 'value', logicalId);
      }
    }
  }

  private checkScalar(value: unknown, path: string, what: string, logicalId: string, expected: string, ok: (v: unknown) => boolean): void {
    if (!isScalar(value) || !ok(value)) {
      this.report(FindingRule.WRONG_TYPE, path, `${what} must be ${expected}, got ${describe(value)}.`, logicalId);
    }
  }

  private checkEnum<T extends string | number>(value: T, allowed: readonly T[], path: string, what: string, logicalId: string): void {
    if (!allowed.includes(value)) {
      const names = allowed.map(String);
      this.report(FindingRule.VALUE_NOT_IN_ENUM, path,
        `${what} is ${JSON.stringify(value)}, not one of: ${names.join(', ')}.${didYouMean(String(value), names)}`, logicalId);
    }
  }

  private report(rule: FindingRule, path: string, message: string, logicalId?: string): void {
    this.findings.push({ rule, path, logicalId, message });
  }
}

/** The legacy specification's built-in Tag type. */
const TAG_PROPERTIES: Readonly<Record<string, SpecProperty>> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

const NO_NAMES: TemplateNames = { resources: new Map(), parameters: new Set(), conditions: new Set(), mappings: new Set() };

function templateNames(template: Record<string, unknown>, resources: Record<string, unknown>): TemplateNames {
  const keys = (section: unknown) => new Set(isPlainObject(section) ? Object.keys(section) : []);
  const types = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    types.set(logicalId, isPlainObject(resource) && typeof resource.Type === 'string' ? resource.Type : '');
  }
  return {
    resources: types,
    parameters: keys(template.Parameters),
    conditions: keys(template.Conditions),
    mappings: keys(template.Mappings),
  };
}

/** The JSON shape a schema type takes, for choosing among union members. */
function shapeOfType(type: SpecType): string {
  switch (type.type) {
    case 'array':
      return 'a list';
    case 'ref':
    case 'map':
    case 'tag':
      return 'an object';
    case 'json':
    case 'union':
      return 'any value';
    case 'null':
      return 'null';
    default:
      return 'a scalar';
  }
}

function shapeOfValue(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value === null) {
    return 'null';
  }
  return typeof value === 'object' ? 'an object' : 'a scalar';
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'object') {
    return `an object with keys ${Object.keys(value as object).join(', ') || '(none)'}`;
  }
  const json = JSON.stringify(value);
  return `${typeof value} ${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
}
