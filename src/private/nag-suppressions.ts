import { CfnResource } from 'aws-cdk-lib';
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
