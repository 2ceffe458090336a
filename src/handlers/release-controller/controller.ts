import { StateLease } from './aws/state-store';
import { claimState } from './claim';
import { controllerEnvironment } from './environment';
import { LeaseHeld, describeError, isThrottling, isTransient } from './errors';
import { log } from './log';
import { parseReleaseProperties } from './properties';
import { Release } from './release';
import type { IsCompleteResponse, ReleaseRequest } from './request';
import { parseState } from './state';
import { deleteRelease } from './teardown';

/**
 * One isComplete poll, under the deployment's lease (see aws/state-store.ts). Throttling, 5xx,
 * timeouts and another poll holding the lease mean "not yet": the poll answers IsComplete
 * false and the next poll starts over from real state. Everything else that stops a release
 * surfaces as an Error whose message names the cause.
 */
export async function completeRelease(request: ReleaseRequest): Promise<IsCompleteResponse> {
  try {
    if (request.RequestType === 'Delete') {
      return await deleteRelease(request);
    }
    const config = parseReleaseProperties(request.ResourceProperties);
    const lease = await StateLease.open(controllerEnvironment().stateTable, config.deploymentName, request.RequestId);
    let release: Release | undefined;
    let failure: unknown;
    try {
      const stored = parseState(config.deploymentName, lease.storedValue);
      const { state, isNew } = await claimState(request, config, stored);
      release = new Release(request, config, state, lease);
      if (isNew) {
        release.begin();
      }
      return await release.poll();
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // However the poll ends: save what changed and give the lease up.
      await (release ? release.finish() : lease.finish()).catch((error: unknown) => {
        // A save refused for good must not hide why the poll failed (the table's refusal is
        // in that reason when it is the cause); a transient one still means "poll again".
        if (failure === undefined || isTransient(error)) {
          throw error;
        }
        log.warn('could not save the release state after the poll failed', { error: describeError(error) });
      });
    }
  } catch (error) {
    if (isTransient(error)) {
      const why = error instanceof LeaseHeld ? 'another poll holds the deployment\'s lease' : isThrottling(error) ? 'throttled' : 'transient AWS error';
      log.warn(`${why}; waiting for the next poll`, { error: describeError(error) });
      return { IsComplete: false };
    }
    throw error;
  }
}
