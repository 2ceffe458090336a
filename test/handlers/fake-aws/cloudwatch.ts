import type {
  CompositeAlarm,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  MetricAlarm,
  StateValue,
} from '@aws-sdk/client-cloudwatch';
import { serviceError } from './aws-errors';

export interface AlarmRecord {
  readonly name: string;
  readonly type: 'MetricAlarm' | 'CompositeAlarm';
  state: StateValue;
  reason: string;
  updatedAt: number;
}

/** CloudWatch alarms whose state tests (or scheduled world changes) set. */
export class FakeCloudWatch {
  public readonly alarms = new Map<string, AlarmRecord>();

  public constructor(private readonly now: () => number) {}

  public putAlarm(name: string, options: { type?: AlarmRecord['type']; state?: StateValue; reason?: string } = {}): void {
    this.alarms.set(name, {
      name,
      type: options.type ?? 'MetricAlarm',
      state: options.state ?? 'OK',
      reason: options.reason ?? 'Threshold Crossed: no datapoints were breaching',
      updatedAt: this.now(),
    });
  }

  public setAlarmState(name: string, state: StateValue, reason?: string): void {
    const alarm = this.alarms.get(name);
    if (!alarm) {
      throw new Error(`fake: no alarm ${name}`);
    }
    alarm.state = state;
    alarm.reason = reason ?? (state === 'ALARM' ? 'Threshold Crossed: 3 datapoints were greater than the threshold (5.0)' : `set to ${state}`);
    alarm.updatedAt = this.now();
  }

  public describeAlarms(input: DescribeAlarmsCommandInput): DescribeAlarmsCommandOutput {
    if ((input.AlarmNames?.length ?? 0) > 100) {
      throw serviceError('cloudwatch', 'InvalidParameterValue', 'The collection AlarmNames must not have a size greater than 100.');
    }
    // Without AlarmTypes, CloudWatch returns metric alarms only.
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const selected = [...this.alarms.values()]
      .filter((a) => input.AlarmNames === undefined || input.AlarmNames.includes(a.name))
      .filter((a) => types.includes(a.type))
      .filter((a) => input.StateValue === undefined || a.state === input.StateValue);
    const maxRecords = input.MaxRecords ?? 50;
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = selected.slice(start, start + maxRecords);
    const next = start + maxRecords < selected.length ? String(start + maxRecords) : undefined;
    const view = (a: AlarmRecord) => ({
      AlarmName: a.name,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${a.name}`,
      StateValue: a.state,
      StateReason: a.reason,
      StateUpdatedTimestamp: new Date(a.updatedAt),
    });
    return {
      MetricAlarms: page.filter((a) => a.type === 'MetricAlarm').map((a): MetricAlarm => view(a)),
      CompositeAlarms: page.filter((a) => a.type === 'CompositeAlarm').map((a): CompositeAlarm => view(a)),
      ...(next ? { NextToken: next } : {}),
      $metadata: {},
    };
  }
}
