import type { PutEventsCommandInput, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { serviceError } from './aws-errors';

const MAX_ENTRY_BYTES = 256 * 1024;

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
    // An entry is measured as EventBridge measures it: 14 bytes for Time, and the UTF-8 bytes
    // of Source, DetailType, Detail and each resource; it must be under 256 KB.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
    for (const entry of entries) {
      const size = (entry.Time ? 14 : 0) + [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]
        .reduce((sum, text) => sum + Buffer.byteLength(text ?? ''), 0);
      if (size >= MAX_ENTRY_BYTES) {
        throw serviceError('events', 'ValidationException', `Total size of the entries in the request is over the limit (${size} bytes)`);
      }
    }
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      // "aws." sources are AWS services' own. The docs name no error code for this case: the
      // fake answers with the entry error for a source the caller may not publish.
      if (entry.Source.toLowerCase().startsWith('aws.')) {
        return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      }
      let detail: Record<string, unknown>;
      try {
        detail = JSON.parse(entry.Detail) as Record<string, unknown>;
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      // Detail is "a valid JSON object" (PutEventsRequestEntry), not any JSON value.
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not a JSON object' };
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
