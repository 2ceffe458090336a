import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { awsManagedPolicy } from './aws-managed-policy';
import { suppressNagRule } from './nag-suppressions';

/** A role Image Builder assumes for this account only. */
export interface ImageBuilderServiceRoleProps {
  readonly description: string;
  /**
   * The AWS-managed policy Image Builder documents for the job, e.g.
   * `service-role/EC2ImageBuilderLifecycleExecutionPolicy`.
   *
   * @default - none: the caller adds its own statements
   */
  readonly managedPolicyName?: string;
  /** Why the AWS-managed policy is the right one (for cdk-nag's AwsSolutions-IAM4). */
  readonly managedPolicyReason?: string;
}

/**
 * Creates a role that `imagebuilder.amazonaws.com` may assume on behalf of this account only,
 * optionally with the AWS-managed policy Image Builder documents for the job.
 *
 * Against the confused deputy the trust carries `aws:SourceAccount`, written `StringEqualsIfExists`.
 * Image Builder's user guide has no confused-deputy section and documents its execution and
 * lifecycle roles with unconditioned trust policies (for example
 * https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html),
 * so whether the service puts the key in its AssumeRole request is not documented; IAM says the
 * key is present only when a service principal calls on a resource's behalf, and recommends the
 * IfExists operators for such keys
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 * With IfExists the condition binds whenever Image Builder sends the key and cannot block every
 * build when it does not; a plain StringEquals would do the latter. Another account cannot pass
 * this role to Image Builder in any case: that needs iam:PassRole in this account.
 */
export function imageBuilderServiceRole(scope: Construct, id: string, props: ImageBuilderServiceRoleProps): iam.Role {
  const managedPolicyName = props.managedPolicyName;
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('imagebuilder.amazonaws.com', {
      conditions: { StringEqualsIfExists: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: props.description,
    managedPolicies: managedPolicyName ? [awsManagedPolicy(managedPolicyName)] : undefined,
  });
  if (managedPolicyName) {
    suppressNagRule(role, 'AwsSolutions-IAM4', props.managedPolicyReason ?? `Image Builder documents ${managedPolicyName} for this role`,
      [`Policy::arn:<AWS::Partition>:iam::aws:policy/${managedPolicyName}`]);
  }
  return role;
}
