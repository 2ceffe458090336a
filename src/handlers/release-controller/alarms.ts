import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { aws } from './aws';
import type { InsufficientDataPolicy } from '../../deployment/release-properties';

// DescribeAlarms takes at most 100 names per call.
const NAMES_PER_CALL = 100;

interface AlarmState {
  readonly state: string;
  readonly reason?: string;
}

/**
 * Why the rollback alarms say stop, one line per alarm; empty when the release may go on.
 * A named alarm that does not exist counts as a reason: a typo must not silently switch
 * the safety net off.
 */
export async function alarmObjections(names: readonly string[], policy: InsufficientDataPolicy): Promise<string[]> {
  if (names.length === 0) {
    return [];
  }
  const states = new Map<string, AlarmState>();
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    let token: string | undefined;
    do {
      const out = await aws().cloudWatch.send(new DescribeAlarmsCommand({
        AlarmNames: names.slice(i, i + NAMES_PER_CALL),
        // Without AlarmTypes, DescribeAlarms returns metric alarms only.
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: token,
      }));
      for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName) {
          states.set(alarm.AlarmName, { state: alarm.StateValue ?? 'INSUFFICIENT_DATA', reason: alarm.StateReason });
        }
      }
      token = out.NextToken;
    } while (token);
  }
  const objections: string[] = [];
  for (const name of names) {
    const alarm = states.get(name);
    if (!alarm) {
      objections.push(`rollback alarm ${name} does not exist`);
    } else if (alarm.state === 'ALARM') {
      objections.push(`rollback alarm ${name} is in ALARM${alarm.reason ? ` (${alarm.reason})` : ''}`);
    } else if (alarm.state === 'INSUFFICIENT_DATA' && policy === 'FAIL') {
      objections.push(`rollback alarm ${name} has INSUFFICIENT_DATA and InsufficientDataPolicy is FAIL`);
    }
  }
  return objections;
}
