import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { aws } from './aws';
import { now } from './clock';
import { describeError } from './errors';
import { log } from './log';

export const EVENT_SOURCE = 'cdk-immutable-infra';
export const EVENT_DETAIL_TYPE = 'Immutable Release Step';

/** Detail of one "Immutable Release Step" event. */
export interface ReleaseStepDetail {
  readonly deploymentName: string;
  readonly deploymentId: string;
  /** What just happened: STARTED, SIZED, ATTACHED, HEALTHY, SHIFTED, BAKED, DRAINED, COMMITTED, ROLLED_BACK, UNCHANGED, DELETED. */
  readonly step: string;
  readonly mode?: string;
  readonly phase?: string;
  readonly liveGeneration?: string;
  readonly candidateGeneration?: string;
  readonly previousGeneration?: string;
  /** Percent of traffic on the candidate after this step. */
  readonly candidatePercent?: number;
  readonly outcome?: string;
  readonly message?: string;
  readonly ruleArn?: string;
}

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
