import { Annotations, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { TrafficShift } from './traffic-shift';

/** The id a user acknowledges the warning with (`Annotations.of(deployment).acknowledgeWarning(id)`). */
export const UNGUARDED_STEP_WARNING = 'cdk-immutable-infra:stepShorterThanAlarmWindow';

/**
 * How long an alarm needs data before it can go into ALARM: its period times its evaluation
 * periods. Undefined for an alarm the app does not define (imported) or one whose settings are
 * tokens: nothing can be said about it at synth.
 */
export function alarmWindowSeconds(alarm: cloudwatch.IAlarm): number | undefined {
  if (!(alarm instanceof cloudwatch.Alarm)) {
    return undefined;
  }
  const evaluationPeriods = (alarm.node.defaultChild as cloudwatch.CfnAlarm).evaluationPeriods;
  const config = alarm.metric.toMetricConfig();
  const period = config.metricStat?.period.toSeconds() ?? config.mathExpression?.period;
  if (period === undefined || evaluationPeriods === undefined || Token.isUnresolved(period) || Token.isUnresolved(evaluationPeriods)) {
    return undefined;
  }
  return period * evaluationPeriods;
}

/**
 * Warns when a canary or linear step ends before an alarm could have fired: the release then
 * moves on (or commits) on the strength of an alarm that had no chance to see the step's traffic.
 */
export function warnIfStepOutrunsAlarm(scope: IConstruct, shift: TrafficShift, alarm: cloudwatch.IAlarm, prop: string): void {
  if (shift.steps.length < 2) {
    return;
  }
  const window = alarmWindowSeconds(alarm);
  const interval = shift.interval.toSeconds({ integral: false });
  if (window === undefined || interval >= window) {
    return;
  }
  const name = Token.isUnresolved(alarm.alarmName) ? alarm.node.path : alarm.alarmName;
  Annotations.of(scope).addWarningV2(UNGUARDED_STEP_WARNING,
    `${prop}: alarm ${name} needs ${window} s of data (period x evaluation periods) to go into ALARM, and trafficShift moves on every ${interval} s: `
    + `a step can end before the alarm could see its traffic. Give trafficShift an interval of at least ${window} s, or the alarm a shorter period or fewer evaluation periods`);
}
