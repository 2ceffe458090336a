import { startInvocation, type InvocationContext } from './budget';
import { completeRelease } from './controller';
import { describeError } from './errors';
import { log, setLogContext } from './log';
import type { IsCompleteResponse, ReleaseRequest } from './request';

/**
 * The provider framework's isComplete for Custom::ImmutableRelease, called every query
 * interval: `{ IsComplete: false }` while the release works, `{ IsComplete: true, Data }`
 * when it is done, and an Error (which fails the resource, so CloudFormation rolls back)
 * once the old generation has all traffic back.
 */
export async function handler(event: ReleaseRequest, context?: InvocationContext): Promise<IsCompleteResponse> {
  startInvocation(context);
  setLogContext({
    handler: 'isComplete',
    requestId: event.RequestId,
    requestType: event.RequestType,
    physicalResourceId: event.PhysicalResourceId,
    logicalResourceId: event.LogicalResourceId,
  });
  try {
    const response = await completeRelease(event);
    if (response.IsComplete) {
      log.info('release complete', { ...response.Data });
    }
    return response;
  } catch (error) {
    log.error('release failed', { error: describeError(error) });
    throw error;
  }
}
