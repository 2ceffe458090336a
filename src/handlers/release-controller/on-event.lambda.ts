import { now } from './clock';
import { releasePhysicalId } from './identity';
import { log, setLogContext } from './log';
import { parseReleaseProperties } from './properties';
import type { OnEventResponse, ReleaseRequest } from './request';

/**
 * The provider framework's onEvent for Custom::ImmutableRelease. It only checks the
 * properties, names the resource and stamps the request with its start; the release itself
 * runs in isComplete, so this bundle carries no AWS SDK client.
 */
export async function handler(event: ReleaseRequest): Promise<OnEventResponse> {
  setLogContext({ handler: 'onEvent', requestId: event.RequestId, requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  if (event.RequestType === 'Delete') {
    // The framework refuses a Delete that changes the physical id.
    return { PhysicalResourceId: event.PhysicalResourceId ?? '' };
  }
  const config = parseReleaseProperties(event.ResourceProperties);
  // Stable across updates: a changed physical id would make CloudFormation delete the "old"
  // resource (and with it the listener rule) after the update.
  const physicalId = event.RequestType === 'Create' || !event.PhysicalResourceId
    ? releasePhysicalId(config.deploymentName, event.StackId, event.LogicalResourceId)
    : event.PhysicalResourceId;
  log.info('release requested', {
    physicalResourceId: physicalId,
    deploymentName: config.deploymentName,
    generation: config.generation.key,
    strategy: config.strategy,
  });
  // The provider framework passes any other field of this answer through to isComplete.
  return { PhysicalResourceId: physicalId, RequestedAt: now() };
}
