import { createHash } from 'node:crypto';

/**
 * The physical id of a release resource: stable for the resource's whole life, so an Update
 * never looks like a replacement (CloudFormation would then Delete the "old" resource, and
 * with it the listener rule). The hash of stack name and logical id keeps two stacks that
 * reuse a deployment name apart; the stack's name rather than its id, so a stack that is
 * deleted and created again can adopt state that a failed Delete left behind.
 */
export function releasePhysicalId(deploymentName: string, stackId: string, logicalResourceId: string): string {
  const stackName = /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
  const digest = createHash('sha256').update(`${stackName}\n${logicalResourceId}`).digest('hex').slice(0, 12);
  return `immutable-release:${deploymentName}:${digest}`;
}
