import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/**
 * Alarms the deployment creates on each new generation's own target group. A release rolls
 * back when one of them goes into ALARM while it shifts traffic or bakes; they watch only the
 * new instances, so the old generation's errors never blame the new one.
 */
export interface GenerationAlarmOptions {
  /**
   * Create the alarms.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * HTTP 5xx responses from the generation's instances in one period that count as a breach.
   *
   * @default 10
   */
  readonly targetErrorThreshold?: number;

  /**
   * Unhealthy instances of the generation (the period's maximum) that count as a breach.
   *
   * @default 1
   */
  readonly unhealthyHostThreshold?: number;

  /**
   * The period each alarm evaluates.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * Consecutive breaching periods that put an alarm into ALARM.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** The CloudWatch dimensions of one generation's target group. */
export type TargetGroupDimensions = {
  readonly LoadBalancer: string;
  readonly TargetGroup: string;
};

const DEFAULTS = { targetErrorThreshold: 10, unhealthyHostThreshold: 1, periodSeconds: 60, evaluationPeriods: 2 };
// CloudWatch's standard-resolution periods are multiples of 60 s; ALB metrics are per minute.
const PERIOD_STEP_SECONDS = 60;

/** Checks the alarm options at synth; tokens are left alone. */
export function validateGenerationAlarms(scope: IConstruct, options: GenerationAlarmOptions): void {
  const count = (prop: string, value: number | undefined, min: number) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < min)) {
      invalidProp(scope, `generationAlarms.${prop}`, value, `it must be a whole number of at least ${min}`, `Give generationAlarms.${prop} a whole number of ${min} or more`);
    }
  };
  count('targetErrorThreshold', options.targetErrorThreshold, 1);
  count('unhealthyHostThreshold', options.unhealthyHostThreshold, 1);
  count('evaluationPeriods', options.evaluationPeriods, 1);
  if (options.period && !options.period.isUnresolved()) {
    const seconds = options.period.toSeconds({ integral: false });
    if (seconds < PERIOD_STEP_SECONDS || seconds % PERIOD_STEP_SECONDS !== 0) {
      invalidProp(scope, 'generationAlarms.period', `${seconds} seconds`, 'load balancer metrics are published per minute, so a period is a whole number of minutes',
        'Give a period such as Duration.minutes(1)');
    }
  }
}

/** Creates a generation's alarms; none when disabled. */
export function createGenerationAlarms(
  scope: Construct,
  dimensions: TargetGroupDimensions,
  options: GenerationAlarmOptions = {},
): cloudwatch.Alarm[] {
  if (options.enabled === false) {
    return [];
  }
  const period = options.period ?? Duration.seconds(DEFAULTS.periodSeconds);
  const evaluationPeriods = options.evaluationPeriods ?? DEFAULTS.evaluationPeriods;
  const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: { ...dimensions },
    statistic,
    period,
  });
  // No data means no requests and no unhealthy instances: not breaching, so a quiet new
  // generation is not rolled back for being quiet.
  const common = {
    evaluationPeriods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return [
    new cloudwatch.Alarm(scope, 'TargetErrorsAlarm', {
      ...common,
      metric: metric('HTTPCode_Target_5XX_Count', cloudwatch.Stats.SUM),
      threshold: options.targetErrorThreshold ?? DEFAULTS.targetErrorThreshold,
      alarmDescription: 'HTTP 5xx responses from this generation\'s instances; rolls back its release',
    }),
    new cloudwatch.Alarm(scope, 'UnhealthyHostsAlarm', {
      ...common,
      metric: metric('UnHealthyHostCount', cloudwatch.Stats.MAXIMUM),
      threshold: options.unhealthyHostThreshold ?? DEFAULTS.unhealthyHostThreshold,
      alarmDescription: 'Unhealthy instances in this generation\'s target group; rolls back its release',
    }),
  ];
}
