import type { PutEventsCommandInput, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { serviceError } from './aws-errors';

export interface RecordedEvent {
  readonly at: number;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources: readonly string[];
  readonly eventBusName: string;
}

/** The default event bus: records what was put; can reject entries (FailedEntryCount). */
export class FakeEventBridge {
  public readonly events: RecordedEvent[] = [];
  /** When true, every entry is rejected with InternalFailure (the call itself succeeds). */
  public rejectEntries = false;
  private sequence = 0;

  public constructor(private readonly now: () => number) {}

  public putEvents(input: PutEventsCommandInput): PutEventsCommandOutput {
    const entries = input.Entries ?? [];
    if (entries.length === 0 || entries.length > 10) {
      throw serviceError('events', 'ValidationException', 'PutEvents takes 1 to 10 entries');
    }
    if (this.rejectEntries) {
      return {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' })),
        $metadata: {},
      };
    }
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: Record<string, unknown>;
      try {
        detail = JSON.parse(entry.Detail) as Record<string, unknown>;
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      this.events.push({
        at: entry.Time?.getTime() ?? this.now(),
        source: entry.Source,
        detailType: entry.DetailType,
        detail,
        resources: entry.Resources ?? [],
        eventBusName: entry.EventBusName ?? 'default',
      });
      this.sequence++;
      return { EventId: `fake-event-${this.sequence}` };
    });
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    return { FailedEntryCount: failed, Entries: results, $metadata: {} };
  }
}
