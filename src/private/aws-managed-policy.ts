import * as iam from 'aws-cdk-lib/aws-iam';

const byName = new Map<string, iam.IManagedPolicy>();

/**
 * An AWS-managed policy, one object per name for the whole process: its ARN names no stack,
 * account or region (`arn:<partition>:iam::aws:policy/<name>`), so the roles of every image
 * and app can share it, and a synthesis of many images builds it once rather than per role.
 */
export function awsManagedPolicy(name: string): iam.IManagedPolicy {
  let policy = byName.get(name);
  if (!policy) {
    policy = iam.ManagedPolicy.fromAwsManagedPolicyName(name);
    byName.set(name, policy);
  }
  return policy;
}
