import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Construct metadata that cdk-nag 3 (and aws-cdk-lib's `Validations.of(x).acknowledge()`,
 * 2.257+) reads: `{ "Annotation::<rule id>": reason }` on the flagged resource or an
 * ancestor. cdk-nag 3 strips the `Annotation::` prefix and matches the rest exactly, so a
 * rule that reports findings (IAM4, IAM5) is acknowledged per finding: `<rule>[<finding>]`.
 * Written with the literal key because the library supports aws-cdk-lib versions that
 * have no `Validations` class.
 */
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/**
 * CloudFormation resource metadata that cdk-nag 2 reads (`NagSuppressions` writes the same):
 * `{ rules_to_suppress: [{ id, reason, applies_to? }] }`.
 */
const CDK_NAG = 'cdk_nag';

/** cdk-nag 2 refuses reasons shorter than this. */
const MIN_REASON_LENGTH = 10;

interface CfnNagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: string[];
}

/**
 * Records that a cdk-nag rule is expected to flag a resource, and why, in the forms both
 * cdk-nag 2 and cdk-nag 3 read, without the library depending on cdk-nag.
 *
 * @param resource the flagged resource: a CfnResource, or an L2 whose default child is one
 *   (the suppression goes on that CfnResource, never on a wider scope)
 * @param id the rule id, e.g. `AwsSolutions-IAM4`
 * @param reason why the library needs what the rule flags (at least 10 characters)
 * @param appliesTo the findings the suppression covers, e.g.
 *   `Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore` for IAM4 or
 *   `Resource::*` for IAM5; required for rules that report findings, since cdk-nag 3 only
 *   acknowledges findings one by one
 */
export function suppressNagRule(resource: IConstruct, id: string, reason: string, appliesTo?: string[]): void {
  const target = cfnResourceOf(resource);
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`${target.node.path}: the reason for suppressing ${id} must say why (at least ${MIN_REASON_LENGTH} characters)`);
  }
  if (appliesTo !== undefined && appliesTo.length === 0) {
    throw new Error(`${target.node.path}: appliesTo for ${id} lists no findings; leave it out to suppress the whole rule`);
  }

  const acknowledged: Record<string, string> = {};
  for (const ruleId of appliesTo === undefined ? [id] : appliesTo.map(finding => `${id}[${finding}]`)) {
    acknowledged[`Annotation::${ruleId}`] = reason;
  }
  target.node.addMetadata(ACKNOWLEDGED_RULES, acknowledged);

  const existing = (target.getMetadata(CDK_NAG) as { rules_to_suppress?: CfnNagSuppression[] } | undefined)?.rules_to_suppress ?? [];
  const rule: CfnNagSuppression = appliesTo === undefined ? { id, reason } : { id, reason, applies_to: [...appliesTo] };
  target.addMetadata(CDK_NAG, { rules_to_suppress: [...existing, rule] });
}

/**
 * The finding id cdk-nag gives a value in a rule that reports findings (IAM4 `Policy::`,
 * IAM5 `Action::` and `Resource::`), for `appliesTo`. cdk-nag resolves the template value and
 * flattens it: a `Ref` becomes `<Name>`, an `Fn::GetAtt` `<LogicalId.Attribute>`, an
 * `Fn::Join` the joined parts, `${X}` in `Fn::Sub` `<X>`, anything else its JSON. This
 * does the same from the construct's value (a string with tokens), so a suppression matches
 * the finding exactly whatever the stack's environment and logical ids are.
 *
 * @param scope any construct in the stack of the flagged resource
 * @param kind the finding's kind
 * @param value the action, resource ARN or policy ARN as the construct put it in the policy
 */
export function nagFinding(scope: IConstruct, kind: 'Action' | 'Resource' | 'Policy', value: string): string {
  return `${kind}::${flattenReference(Stack.of(scope).resolve(value))}`;
}

function flattenReference(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const call = node as Record<string, any>;
  if (call['Fn::Join']) {
    const [delimiter, parts] = call['Fn::Join'] as [string, unknown[]];
    return parts.map(flattenReference).join(delimiter);
  }
  if (call['Fn::Sub']) {
    return flattenReference(call['Fn::Sub']);
  }
  if (call['Fn::GetAtt']) {
    const [resource, attribute] = call['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (call['Fn::ImportValue']) {
    return flattenReference(call['Fn::ImportValue']);
  }
  if (call.Ref) {
    return `<${flattenReference(call.Ref)}>`;
  }
  return JSON.stringify(node);
}

function cfnResourceOf(resource: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(resource)) {
    return resource;
  }
  const child = resource.node.defaultChild;
  if (child !== undefined && CfnResource.isCfnResource(child)) {
    return child;
  }
  throw new Error(`${resource.node.path}: a cdk-nag suppression belongs on the flagged CloudFormation resource, and this construct has no default CfnResource`);
}
