import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { aws } from './clients';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, type ReleaseStepDetail } from '../../../release-contract/events';
import { now } from '../clock';
import { describeError } from '../errors';
import { log } from '../log';

/**
 * Publish a step to the default event bus. Progress reporting must never fail a release:
 * every error is logged and swallowed.
 */
export async function publishStep(detail: ReleaseStepDetail): Promise<void> {
  try {
    const out = await aws().eventBridge.send(new PutEventsCommand({
      Entries: [{
        Source: EVENT_SOURCE,
        DetailType: EVENT_DETAIL_TYPE,
        Detail: JSON.stringify(detail),
        Time: new Date(now()),
        ...(detail.ruleArn ? { Resources: [detail.ruleArn] } : {}),
      }],
    }));
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      log.warn('release step event rejected', { step: detail.step, errorCode: entry?.ErrorCode, errorMessage: entry?.ErrorMessage });
    }
  } catch (error) {
    log.warn('release step event not published', { step: detail.step, error: describeError(error) });
  }
}
