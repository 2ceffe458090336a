import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { suppressNagRule } from './nag-suppressions';

/** A role Image Builder assumes for this account only, with one AWS-managed policy it documents. */
export interface ImageBuilderServiceRoleProps {
  readonly description: string;
  /** The AWS-managed policy's name, e.g. `service-role/EC2ImageBuilderLifecycleExecutionPolicy`. */
  readonly managedPolicyName: string;
  /** Why the AWS-managed policy is the right one (for cdk-nag's AwsSolutions-IAM4). */
  readonly managedPolicyReason: string;
}

/**
 * Creates a role that `imagebuilder.amazonaws.com` may assume on behalf of this account only
 * (`aws:SourceAccount`, against the confused deputy), with the AWS-managed policy Image Builder
 * documents for the job.
 */
export function imageBuilderServiceRole(scope: Construct, id: string, props: ImageBuilderServiceRoleProps): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('imagebuilder.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: props.description,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(props.managedPolicyName)],
  });
  suppressNagRule(role, 'AwsSolutions-IAM4', props.managedPolicyReason,
    [`Policy::arn:<AWS::Partition>:iam::aws:policy/${props.managedPolicyName}`]);
  return role;
}
