import { Annotations, TimeZone, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { cronExpressionProblem, timeZoneProblem } from './cron-expression';
import { invalidProp } from '../private/errors';

/**
 * The fields of a cron schedule, as for `events.Schedule.cron`, with a time zone.
 */
export interface PipelineCronOptions extends events.CronOptions {
  /**
   * The time zone the fields are in.
   *
   * @default - UTC
   */
  readonly timeZone?: TimeZone;
}

/** A day of the week, for weekly schedules. */
export enum WeekDay {
  /** Monday. */
  MONDAY = 'MON',
  /** Tuesday. */
  TUESDAY = 'TUE',
  /** Wednesday. */
  WEDNESDAY = 'WED',
  /** Thursday. */
  THURSDAY = 'THU',
  /** Friday. */
  FRIDAY = 'FRI',
  /** Saturday. */
  SATURDAY = 'SAT',
  /** Sunday. */
  SUNDAY = 'SUN',
}

/**
 * A time of day, for daily schedules.
 */
export interface DailyScheduleOptions {
  /** The hour, 0 to 23. */
  readonly hour: number;

  /**
   * The minute, 0 to 59.
   *
   * @default 0
   */
  readonly minute?: number;

  /**
   * The time zone of the hour and minute.
   *
   * @default - UTC
   */
  readonly timeZone?: TimeZone;
}

/**
 * A day of the week and a time of day, for weekly schedules.
 */
export interface WeeklyScheduleOptions extends DailyScheduleOptions {
  /** The day of the week. */
  readonly day: WeekDay;
}

/**
 * When the pipeline builds at a scheduled time (Image Builder's pipeline execution start
 * condition).
 */
export enum RebuildCondition {
  /** Build every time the schedule fires. */
  ALWAYS = 'EXPRESSION_MATCH_ONLY',

  /**
   * Build at a scheduled time only when the parent image or a component the recipe selects by
   * version wildcard (`x.x.x`: AWS-managed images and components) has a newer version, or when
   * the parent's SSM parameter has a new value. The library's own components have fixed
   * versions and never count as updates; nor do new packages in the parent's repositories.
   */
  WHEN_DEPENDENCIES_UPDATED = 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
}

/** What a schedule renders to, once checked. */
export interface BoundSchedule {
  readonly expression?: string;
  readonly timeZone?: string;
  /**
   * The days between two scheduled runs where every gap is the same and known at synth (weekly
   * and daily schedules, and expressions of that shape); undefined otherwise.
   */
  readonly intervalDays?: number;
}

/**
 * When an image pipeline runs on its own. Image Builder reads EventBridge-style six-field cron
 * expressions, in UTC unless a time zone is given.
 */
export class PipelineSchedule {
  /**
   * A cron schedule from its fields (unset fields are `*`, as for `events.Schedule.cron`: set
   * `minute`, or the pipeline starts every minute of the matching hours).
   */
  public static cron(options: PipelineCronOptions): PipelineSchedule {
    return new PipelineSchedule({ kind: 'fields', options });
  }

  /**
   * A schedule from a `cron(minute hour day month day-of-week year)` expression.
   *
   * @param expression for example `cron(0 4 ? * SUN *)`
   * @param timeZone the time zone of the expression (default UTC)
   */
  public static expression(expression: string, timeZone?: TimeZone): PipelineSchedule {
    return new PipelineSchedule({ kind: 'expression', expression, timeZone });
  }

  /** Once a week on the given day, at the given time. */
  public static weekly(options: WeeklyScheduleOptions): PipelineSchedule {
    return new PipelineSchedule({ kind: 'weekly', options });
  }

  /** Once a day at the given time. */
  public static daily(options: DailyScheduleOptions): PipelineSchedule {
    return new PipelineSchedule({ kind: 'daily', options });
  }

  /** No schedule: the pipeline runs when started (console, API, `runOnDeploy`). */
  public static manual(): PipelineSchedule {
    return new PipelineSchedule({ kind: 'manual' });
  }

  private constructor(private readonly spec: ScheduleSpec) {}

  /** True for `manual()`. */
  public get isManual(): boolean {
    return this.spec.kind === 'manual';
  }

  /**
   * Checks and renders the schedule for the construct at `scope`.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string): BoundSchedule {
    const spec = this.spec;
    switch (spec.kind) {
      case 'manual':
        return {};
      case 'expression':
        return this.checked(scope, prop, spec.expression, spec.timeZone);
      case 'fields':
        return this.checked(scope, prop, fieldsExpression(scope, prop, spec.options), spec.options.timeZone);
      case 'weekly':
      case 'daily':
        return this.checked(scope, prop, timeOfDayExpression(scope, prop, spec), spec.options.timeZone);
    }
  }

  private checked(scope: IConstruct, prop: string, expression: string, timeZone?: TimeZone): BoundSchedule {
    if (!Token.isUnresolved(expression)) {
      const problem = cronExpressionProblem(expression);
      if (problem) {
        invalidProp(scope, prop, expression, problem,
          'Write it as cron(minute hour day month day-of-week year), for example cron(0 4 ? * SUN *), or use PipelineSchedule.weekly(...) / daily(...)');
      }
    }
    const zone = timeZone?.timezoneName;
    if (zone !== undefined && !Token.isUnresolved(zone)) {
      const problem = timeZoneProblem(zone);
      if (problem) {
        invalidProp(scope, `${prop}.timeZone`, zone, problem, 'Give an IANA time zone name, for example TimeZone.EUROPE_PARIS or TimeZone.of(\'America/New_York\')');
      }
    }
    return { expression, timeZone: zone, intervalDays: Token.isUnresolved(expression) ? undefined : intervalDays(expression) };
  }
}

/**
 * Days between runs of `cron(minute hour day month day-of-week year)` when it fires once a day
 * (fixed minute and hour, every day) or once a week (fixed minute and hour, one day of the week).
 */
function intervalDays(expression: string): number | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1].trim().split(/\s+/);
  if (!fields || fields.length !== 6) {
    return undefined;
  }
  const [minute, hour, day, month, weekDay, year] = fields;
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour) || month !== '*' || year !== '*') {
    return undefined;
  }
  if ((day === '*' || day === '?') && (weekDay === '?' || weekDay === '*')) {
    return 1;
  }
  if (day === '?' && /^([1-7]|[A-Za-z]{3})$/.test(weekDay)) {
    return 7;
  }
  return undefined;
}

type ScheduleSpec =
  | { readonly kind: 'manual' }
  | { readonly kind: 'expression'; readonly expression: string; readonly timeZone?: TimeZone }
  | { readonly kind: 'fields'; readonly options: PipelineCronOptions }
  | { readonly kind: 'weekly'; readonly options: WeeklyScheduleOptions }
  | { readonly kind: 'daily'; readonly options: DailyScheduleOptions };

function fieldsExpression(scope: IConstruct, prop: string, options: PipelineCronOptions): string {
  if (options.day !== undefined && options.weekDay !== undefined) {
    invalidProp(scope, prop, { day: options.day, weekDay: options.weekDay }, 'a cron schedule takes a day of the month or a day of the week, not both',
      'Remove day or weekDay');
  }
  if (options.minute === undefined) {
    Annotations.of(scope).addWarningV2('cdk-immutable-infra:scheduleEveryMinute',
      `${prop}: no minute is set, so the pipeline starts every minute of the matching hours. Set minute: '0' to start once an hour, or minute: '*' if every minute is meant`);
  }
  const day = options.day ?? (options.weekDay !== undefined ? '?' : '*');
  const weekDay = options.weekDay ?? '?';
  return `cron(${options.minute ?? '*'} ${options.hour ?? '*'} ${day} ${options.month ?? '*'} ${weekDay} ${options.year ?? '*'})`;
}

function timeOfDayExpression(scope: IConstruct, prop: string, spec: { kind: 'weekly' | 'daily'; options: DailyScheduleOptions }): string {
  const { hour, minute = 0 } = spec.options;
  checkWhole(scope, `${prop}.hour`, hour, 0, 23);
  checkWhole(scope, `${prop}.minute`, minute, 0, 59);
  const dayOfWeek = spec.kind === 'weekly' ? (spec.options as WeeklyScheduleOptions).day : '*';
  return spec.kind === 'weekly'
    ? `cron(${minute} ${hour} ? * ${dayOfWeek} *)`
    : `cron(${minute} ${hour} * * ? *)`;
}

function checkWhole(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    invalidProp(scope, prop, value, `it must be a whole number from ${min} to ${max}`, `Give a value from ${min} to ${max}`);
  }
}
