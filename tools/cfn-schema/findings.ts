/** The kinds of problem the checker reports, one rule each. */
export enum FindingRule {
  /** A top-level section, or a resource entry, that a template cannot have. */
  TEMPLATE_STRUCTURE = 'template-structure',
  /** A resource `Type` that CloudFormation does not know. */
  UNKNOWN_RESOURCE_TYPE = 'unknown-resource-type',
  /** A key of a resource entry (next to Type and Properties) that CloudFormation does not know, or a bad policy value. */
  UNKNOWN_RESOURCE_ATTRIBUTE = 'unknown-resource-attribute',
  /** A property the schema does not have, at any depth (names are case-sensitive). */
  UNKNOWN_PROPERTY = 'unknown-property',
  /** A property the schema requires that is not set. */
  MISSING_REQUIRED_PROPERTY = 'missing-required-property',
  /** A value of the wrong type: an object where a string goes, a word where a number goes... */
  WRONG_TYPE = 'wrong-type',
  /** A value outside the schema's list of allowed values. */
  VALUE_NOT_IN_ENUM = 'value-not-in-enum',
  /** A `Ref`, `Fn::GetAtt` or `Fn::Sub` variable naming no resource, parameter or pseudo parameter. */
  UNRESOLVED_REFERENCE = 'unresolved-reference',
  /** An `Fn::GetAtt` attribute the resource type does not have. */
  UNKNOWN_ATTRIBUTE = 'unknown-attribute',
  /** A `DependsOn` naming no resource of the template. */
  UNKNOWN_DEPENDS_ON = 'unknown-depends-on',
  /** A `Condition` (on a resource or output, or in `Fn::If`) naming no condition of the template. */
  UNKNOWN_CONDITION = 'unknown-condition',
  /** An `Fn::FindInMap` naming no mapping of the template. */
  UNKNOWN_MAPPING = 'unknown-mapping',
  /** An object that looks like an intrinsic function (`Fn::...`) but is not one. */
  UNKNOWN_INTRINSIC = 'unknown-intrinsic',
}

/** One problem in a template. */
export interface Finding {
  readonly rule: FindingRule;
  /** Where, as a JSON path into the template, e.g. `Resources.Dist.Properties.Distributions[0].Region`. */
  readonly path: string;
  /** The resource's logical id, when the problem is inside a resource. */
  readonly logicalId?: string;
  /** What is wrong and, where the checker can tell, what was probably meant. */
  readonly message: string;
}

/** One line per finding, for test failure messages and the command line. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map(f => `[${f.rule}] ${f.path}: ${f.message}`).join('\n');
}
