import { TimeZone } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { cronExpressionProblem, timeZoneProblem } from '../../src/pipeline/cron-expression';
import { PipelineSchedule, RebuildCondition, WeekDay } from '../../src/pipeline/pipeline-schedule';
import { errorOf, onlyResource, pipelineStack } from '../support/stacks';

function scheduleOf(schedule?: PipelineSchedule, rebuildWhen?: RebuildCondition): any {
  const { template } = pipelineStack({ schedule, rebuildWhen });
  return onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.Schedule;
}

describe('cron expressions', () => {
  test.each([
    'cron(0 4 ? * SUN *)',
    'cron(0 12 * * ? *)',
    'cron(0/15 * ? * MON-FRI *)',
    'cron(15 10 ? * 6L 2026-2030)',
    'cron(0 8 1 * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 3W * ? *)',
    'cron(0 9 ? * FRI#2 *)',
    'cron(30 2 ? * 2#1 *)',
    'cron(0 0 ? JAN,JUL MON *)',
    'cron(0 0 ? JUL/2 WED *)',
    'cron(0 0 1-15 * ? *)',
    'cron(0 6 ? * sat *)',
  ])('%s is accepted', expression => {
    expect(cronExpressionProblem(expression)).toBeUndefined();
  });

  test.each([
    ['0 4 ? * SUN *', /written cron\(minute hour day month day-of-week year\)/],
    ['rate(7 days)', /written cron\(/],
    ['cron(0 4 ? * SUN)', /5 fields and Image Builder takes 6/],
    ['cron(0 4 ? * SUN * *)', /7 fields/],
    ['cron(0 4 * * * *)', /exactly one of the day-of-month and day-of-week fields must be '\?'/],
    ['cron(0 4 1 * MON *)', /exactly one of the day-of-month and day-of-week/],
    ['cron(60 4 ? * SUN *)', /minute field '60' has '60', which is not 0 to 59/],
    ['cron(0 24 ? * SUN *)', /hour field '24'/],
    ['cron(0 4 32 * ? *)', /day of month field '32'/],
    ['cron(0 4 ? 13 SUN *)', /month field '13'.*1 to 12 or JAN-DEC/],
    ['cron(0 4 ? * 8 *)', /day of week field '8'.*1 to 7 or SUN-SAT/],
    ['cron(0 4 ? * FUN *)', /day of week field 'FUN'/],
    ['cron(0 4 ? * SUN 1969)', /year field '1969'/],
    ['cron(0 4 ? * MON#6 *)', /week of the month, 1 to 5/],
    ['cron(0 4 ? * SUN  *)', /single spaces/],
    ['cron( 0 4 ? * SUN *)', /single spaces/],
    ['cron(*/0 * ? * * *)', /increment of 0/],
    ['cron(0/x * ? * * *)', /increment 'x' that is not a whole number/],
    ['cron(0 L ? * SUN *)', /L, W and # belong to the day fields only/],
    ['cron(0 ? * * ? *)', /hour field '\?' cannot be '\?'/],
    ['cron(5-1 4 ? * SUN *)', /runs backwards/],
    ['cron(0 4 ? * SUN,,MON *)', /empty list item/],
    ['cron(0 4 ?,1 * SUN *)', /'\?' inside a list/],
    ['cron(0 4 5X * ? *)', /day of month field '5X'/],
    ['cron(0 4 ? * 2W *)', /day-of-week field takes L, nL or n#k/],
    ['cron(0 4 ? * */2 *)', /day of week field '\*\/2' has an increment, and Image Builder takes none in the day of the week/],
    ['cron(0 4 ? * MON/2 *)', /has an increment, and Image Builder takes none in the day of the week \(only , - \* \? L #\)/],
  ])('%s is refused', (expression, message) => {
    expect(cronExpressionProblem(expression)).toMatch(message);
  });
});

describe('time zones', () => {
  test.each(['Europe/Paris', 'UTC', 'Etc/UTC', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Asia/Calcutta'])('%s is known', zone => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  test.each([
    ['Mars/Olympus', /not an IANA time zone name/],
    ['Paris', /not an IANA time zone name/],
    ['europe/paris', /case-sensitive; the name is 'Europe\/Paris'/],
    ['UTC+1', /IANA time zone name such as/],
    ['X', /IANA time zone name such as/],
  ])('%s is refused', (zone, message) => {
    expect(timeZoneProblem(zone)).toMatch(message);
  });
});

describe('PipelineSchedule', () => {
  test('the default is weekly on Sundays at 04:00 UTC, building when dependencies updated, disabled after 5 failures', () => {
    expect(scheduleOf()).toEqual({
      ScheduleExpression: 'cron(0 4 ? * SUN *)',
      PipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
      AutoDisablePolicy: { FailureCount: 5 },
    });
  });

  test('weekly and daily render Image Builder cron expressions in the given time zone', () => {
    expect(scheduleOf(PipelineSchedule.weekly({ day: WeekDay.WEDNESDAY, hour: 22, minute: 45, timeZone: TimeZone.EUROPE_PARIS })))
      .toMatchObject({ ScheduleExpression: 'cron(45 22 ? * WED *)', Timezone: 'Europe/Paris' });
    expect(scheduleOf(PipelineSchedule.daily({ hour: 2, minute: 30 }))).toMatchObject({ ScheduleExpression: 'cron(30 2 * * ? *)' });
    expect(scheduleOf(PipelineSchedule.daily({ hour: 2 }))).not.toHaveProperty('Timezone');
  });

  test('cron takes events.CronOptions fields, with a question mark in the unused day field', () => {
    expect(scheduleOf(PipelineSchedule.cron({ minute: '0', hour: '3', weekDay: 'MON-FRI' })).ScheduleExpression).toBe('cron(0 3 ? * MON-FRI *)');
    expect(scheduleOf(PipelineSchedule.cron({ minute: '0', hour: '1', day: '1' })).ScheduleExpression).toBe('cron(0 1 1 * ? *)');
    expect(scheduleOf(PipelineSchedule.cron({ minute: '0', hour: '1', month: 'JAN', year: '2030' })).ScheduleExpression).toBe('cron(0 1 * JAN ? 2030)');
  });

  test('cron without a minute runs every minute, and says so', () => {
    const { stack, template } = pipelineStack({ schedule: PipelineSchedule.cron({ hour: '3', weekDay: 'SUN' }) });
    expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.Schedule.ScheduleExpression).toBe('cron(* 3 ? * SUN *)');
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('no minute is set, so the pipeline starts every minute'));
  });

  test('expression takes a raw cron expression and a time zone', () => {
    expect(scheduleOf(PipelineSchedule.expression('cron(0 6 ? * MON#1 *)', TimeZone.ASIA_TOKYO))).toMatchObject({
      ScheduleExpression: 'cron(0 6 ? * MON#1 *)',
      Timezone: 'Asia/Tokyo',
    });
  });

  test('rebuildWhen ALWAYS builds at every match', () => {
    expect(scheduleOf(undefined, RebuildCondition.ALWAYS).PipelineExecutionStartCondition).toBe('EXPRESSION_MATCH_ONLY');
  });

  test('manual has no schedule, and schedule-only settings are flagged', () => {
    const { stack, template } = pipelineStack({ schedule: PipelineSchedule.manual(), rebuildWhen: RebuildCondition.ALWAYS });
    expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.Schedule).toBeUndefined();
    expect(PipelineSchedule.manual().isManual).toBe(true);
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('apply to scheduled runs only'));
  });

  test('an invalid cron expression fails synth with the path, the prop, the value and the fix', () => {
    const message = errorOf(() => pipelineStack({ schedule: PipelineSchedule.expression('cron(0 4 * * * *)') }));
    expect(message).toBe('Bake/WebImage/Rebake: invalid schedule \'cron(0 4 * * * *)\': exactly one of the day-of-month and day-of-week fields must be \'?\' '
      + '(they cannot both be set, nor both be left open). Write it as cron(minute hour day month day-of-week year), for example cron(0 4 ? * SUN *), '
      + 'or use PipelineSchedule.weekly(...) / daily(...)');
  });

  test('an unknown time zone fails synth naming schedule.timeZone', () => {
    const message = errorOf(() => pipelineStack({ schedule: PipelineSchedule.daily({ hour: 3, timeZone: TimeZone.of('Europe/Atlantis') }) }));
    expect(message).toMatch(/^Bake\/WebImage\/Rebake: invalid schedule\.timeZone 'Europe\/Atlantis': it is not an IANA time zone name\. Give an IANA time zone name/);
  });

  test('hours and minutes out of range, and day with weekDay, fail synth', () => {
    expect(errorOf(() => pipelineStack({ schedule: PipelineSchedule.weekly({ day: WeekDay.MONDAY, hour: 24 }) })))
      .toMatch(/Rebake: invalid schedule\.hour 24: it must be a whole number from 0 to 23\. Give a value from 0 to 23/);
    expect(errorOf(() => pipelineStack({ schedule: PipelineSchedule.daily({ hour: 1, minute: 7.5 }) })))
      .toMatch(/invalid schedule\.minute 7\.5/);
    expect(errorOf(() => pipelineStack({ schedule: PipelineSchedule.cron({ minute: '0', day: '1', weekDay: 'MON' }) })))
      .toMatch(/invalid schedule \{"day":"1","weekDay":"MON"\}: a cron schedule takes a day of the month or a day of the week, not both\. Remove day or weekDay/);
  });

  test('a field out of range given through cron() is caught like a raw expression', () => {
    expect(errorOf(() => pipelineStack({ schedule: PipelineSchedule.cron({ minute: '0', hour: '25' }) })))
      .toMatch(/invalid schedule 'cron\(0 25 \* \* \? \*\)': the hour field '25'/);
  });
});
