import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { aws } from './clients';
import type { InsufficientDataPolicyValue } from '../../../release-contract/release-properties';
import { now } from '../clock';
import { describeError, isTransient } from '../errors';
import type { ReleaseConfig } from '../properties';

// With InsufficientDataPolicy FAIL, rollback alarms unreadable this long count as without data.
const ALARMS_UNREADABLE_LIMIT_MS = 60_000;

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
export async function alarmObjections(names: readonly string[], policy: InsufficientDataPolicyValue): Promise<string[]> {
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

/**
 * The rollback alarms' objections during a release. Alarms that cannot be read (throttling,
 * 5xx) hold the release, as any transient error does: the error is thrown on. With
 * InsufficientDataPolicy FAIL, alarms that stay unreadable for ALARMS_UNREADABLE_LIMIT_MS
 * count as alarms without data, and so object. `unreadableSince` is when they were first
 * found unreadable; `remember` is told when that changes (a time, or undefined once read).
 */
export async function rollbackAlarmObjections(
  config: Pick<ReleaseConfig, 'alarmNames' | 'insufficientDataPolicy'>,
  unreadableSince: number | undefined,
  remember: (since: number | undefined) => void,
): Promise<string[]> {
  let objections: string[];
  try {
    objections = await alarmObjections(config.alarmNames, config.insufficientDataPolicy);
  } catch (error) {
    if (!isTransient(error) || config.insufficientDataPolicy !== 'FAIL') {
      throw error;
    }
    const since = unreadableSince ?? now();
    if (now() - since >= ALARMS_UNREADABLE_LIMIT_MS) {
      return [`rollback alarms could not be read for ${Math.round((now() - since) / 1000)} s (${describeError(error)}) and InsufficientDataPolicy is FAIL`];
    }
    if (unreadableSince === undefined) {
      remember(since);
    }
    throw error;
  }
  if (unreadableSince !== undefined) {
    remember(undefined);
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
