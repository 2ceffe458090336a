import { claimState } from './claim';
import { describeError, isThrottling, isTransient } from './errors';
import { log } from './log';
import { parseReleaseProperties } from './properties';
import { Release } from './release';
import type { IsCompleteResponse, ReleaseRequest } from './request';
import { loadState } from './state';
import { deleteRelease } from './teardown';

/**
 * One isComplete poll. Throttling, 5xx and timeouts mean "not yet": the poll answers
 * IsComplete false and the next poll starts over from real state. Everything else that
 * stops a release surfaces as an Error whose message names the cause.
 */
export async function completeRelease(request: ReleaseRequest): Promise<IsCompleteResponse> {
  try {
    if (request.RequestType === 'Delete') {
      return await deleteRelease(request);
    }
    const config = parseReleaseProperties(request.ResourceProperties);
    const stored = await loadState(config.stateParameterName);
    const { state, isNew } = await claimState(request, config, stored);
    const release = new Release(request, config, state);
    if (isNew) {
      await release.begin();
    }
    return await release.poll();
  } catch (error) {
    if (isTransient(error)) {
      log.warn(isThrottling(error) ? 'throttled; waiting for the next poll' : 'transient AWS error; waiting for the next poll', { error: describeError(error) });
      return { IsComplete: false };
    }
    throw error;
  }
}
