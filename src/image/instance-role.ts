import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { awsManagedPolicy } from '../private/aws-managed-policy';
import { suppressNagRule } from '../private/nag-suppressions';

/** The AWS-managed policies Image Builder's build and test instances need (its documented instance profile). */
const SSM_CORE_POLICY = 'AmazonSSMManagedInstanceCore';
const IMAGE_BUILDER_INSTANCE_POLICY = 'EC2InstanceProfileForImageBuilder';

/**
 * Image Builder's managed policy for instances that build container images: pull the parent,
 * push the result to ECR. https://docs.aws.amazon.com/imagebuilder/latest/userguide/security-iam-awsmanpol.html
 */
export const CONTAINER_BUILDS_POLICY = 'EC2InstanceProfileForImageBuilderECRContainerBuilds';

/**
 * The role of an image's build and test instances (created as `InstanceRole` in `image`):
 * the AWS-managed policies Image Builder documents for them, and `extraManagedPolicies`.
 */
export function createInstanceRole(image: Construct, description: string, extraManagedPolicies: string[] = []): iam.Role {
  const policies = [SSM_CORE_POLICY, IMAGE_BUILDER_INSTANCE_POLICY, ...extraManagedPolicies];
  const role = new iam.Role(image, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description,
    managedPolicies: policies.map(awsManagedPolicy),
  });
  suppressNagRule(role, 'AwsSolutions-IAM4',
    `Image Builder documents ${policies.length === 2 ? 'these two' : 'these'} AWS-managed policies as what its build and test instances need (SSM agent and `
    + `Image Builder/AWSTOE calls${extraManagedPolicies.includes(CONTAINER_BUILDS_POLICY) ? ', container pulls and pushes' : ''}); `
    + 'AWS keeps them current with the services, which a copied inline policy would not be',
    policies.map(name => `Policy::arn:<AWS::Partition>:iam::aws:policy/${name}`));
  return role;
}
