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
 *
 * Metric alarms are asked for first, and composite alarms only for names not found among
 * them: DescribeAlarms returns composite alarms only to a permission scoped to `*`, which the
 * controller is granted only for deployments that have composite (or imported) alarms.
 */
export async function alarmObjections(names: readonly string[], policy: InsufficientDataPolicy): Promise<string[]> {
  if (names.length === 0) {
    return [];
  }
  const states = await describeAlarms(names, 'MetricAlarm');
  const missing = names.filter((name) => !states.has(name));
  if (missing.length > 0) {
    for (const [name, state] of await describeAlarms(missing, 'CompositeAlarm')) {
      states.set(name, state);
    }
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

async function describeAlarms(names: readonly string[], type: 'MetricAlarm' | 'CompositeAlarm'): Promise<Map<string, AlarmState>> {
  const states = new Map<string, AlarmState>();
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    let token: string | undefined;
    do {
      const out = await aws().cloudWatch.send(new DescribeAlarmsCommand({
        AlarmNames: names.slice(i, i + NAMES_PER_CALL),
        AlarmTypes: [type],
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
  return states;
}
