/**
 * Checks of Image Builder schedule expressions and time zones. Image Builder takes the
 * EventBridge cron dialect, `cron(minute hour day month day-of-week year)`, with `?` in exactly
 * one of the two day fields.
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special characters beyond `, - * /`. */
  readonly special: 'none' | 'day-of-month' | 'day-of-week';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59, special: 'none' },
  { name: 'hour', min: 0, max: 23, special: 'none' },
  { name: 'day of month', min: 1, max: 31, special: 'day-of-month' },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: 'none' },
  { name: 'day of week', min: 1, max: 7, names: WEEK_DAYS, special: 'day-of-week' },
  { name: 'year', min: 1970, max: 2199, special: 'none' },
];

/**
 * The problem with a `cron(...)` expression, or undefined when Image Builder can take it.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) {
    return 'Image Builder schedules are written cron(minute hour day month day-of-week year)';
  }
  const body = match[1];
  if (body !== body.trim() || /\s{2,}/.test(body)) {
    return 'the fields must be separated by single spaces, with no leading or trailing space';
  }
  const parts = body.split(' ');
  if (parts.length !== FIELDS.length) {
    return `it has ${parts.length} field${parts.length === 1 ? '' : 's'} and Image Builder takes 6 (minute hour day month day-of-week year)`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) {
      return `the ${FIELDS[i].name} field '${parts[i]}' ${problem}`;
    }
  }
  const dayOfMonth = parts[2];
  const dayOfWeek = parts[4];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'exactly one of the day-of-month and day-of-week fields must be \'?\' (they cannot both be set, nor both be left open)';
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  if (text === '') {
    return 'is empty';
  }
  if (text === '?') {
    return field.special === 'none' ? 'cannot be \'?\' (only the day-of-month and day-of-week fields can)' : undefined;
  }
  for (const item of text.split(',')) {
    const problem = itemProblem(item, field);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

function itemProblem(item: string, field: CronField): string | undefined {
  if (item === '') {
    return 'has an empty list item';
  }
  if (item === '?') {
    return 'uses \'?\' inside a list';
  }
  const special = specialItemProblem(item, field);
  if (special !== null) {
    return special;
  }
  const [range, step, ...rest] = item.split('/');
  if (step !== undefined && field.special === 'day-of-week') {
    // Image Builder's cron table lists the day of the week's wildcards as , - * ? L # only
    // (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html).
    return 'has an increment, and Image Builder takes none in the day of the week (only , - * ? L #); list the days instead';
  }
  if (rest.length > 0) {
    return 'has more than one \'/\'';
  }
  if (step !== undefined && !/^\d+$/.test(step)) {
    return `has an increment '${step}' that is not a whole number`;
  }
  if (step !== undefined && (Number(step) < 1 || Number(step) > field.max)) {
    return `has an increment of ${step}; give 1 to ${field.max}`;
  }
  if (range === '*') {
    return undefined;
  }
  const bounds = range.split('-');
  if (bounds.length > 2) {
    return `has an invalid range '${range}'`;
  }
  const values: number[] = [];
  for (const bound of bounds) {
    const value = valueOf(bound, field);
    if (value === undefined) {
      return `has '${bound}', which is not ${describeValues(field)}`;
    }
    values.push(value);
  }
  if (values.length === 2 && values[0] > values[1] && field.name !== 'day of week') {
    return `has a range '${range}' that runs backwards`;
  }
  return undefined;
}

/**
 * The day fields' extras: `L`, `LW`, `nW` (day of month), `L`, `nL`, `n#k` (day of week).
 * Null when the item is not one of them.
 */
function specialItemProblem(item: string, field: CronField): string | undefined | null {
  // Month and day names hold L and W too (JUL, WED): look past them.
  const withoutNames = field.names
    ? item.replace(/[A-Z]{3}/gi, word => field.names!.includes(word.toUpperCase()) ? '0' : word)
    : item;
  if (!/[LW#]/i.test(withoutNames)) {
    return null;
  }
  if (field.special === 'day-of-month') {
    if (/^L$|^LW$/i.test(item)) {
      return undefined;
    }
    const weekday = /^(\d+)W$/i.exec(item);
    if (weekday) {
      return inRange(Number(weekday[1]), field) ? undefined : `has a day ${weekday[1]} outside 1 to 31`;
    }
    return `has '${item}'; the day-of-month field takes L, LW or nW besides days and ranges`;
  }
  if (field.special === 'day-of-week') {
    if (/^L$/i.test(item)) {
      return undefined;
    }
    const last = /^(\w+)L$/i.exec(item);
    if (last) {
      return valueOf(last[1], field) !== undefined ? undefined : `has '${item}', whose day is not ${describeValues(field)}`;
    }
    const nth = /^(\w+)#(\d+)$/.exec(item);
    if (nth) {
      if (valueOf(nth[1], field) === undefined) {
        return `has '${item}', whose day is not ${describeValues(field)}`;
      }
      const week = Number(nth[2]);
      return week >= 1 && week <= 5 ? undefined : `has '${item}'; the number after '#' is the week of the month, 1 to 5`;
    }
    return `has '${item}'; the day-of-week field takes L, nL or n#k besides days and ranges`;
  }
  return `has '${item}'; L, W and # belong to the day fields only`;
}

function valueOf(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return inRange(value, field) ? value : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

function inRange(value: number, field: CronField): boolean {
  return Number.isInteger(value) && value >= field.min && value <= field.max;
}

function describeValues(field: CronField): string {
  const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
  return `${field.min} to ${field.max}${names}`;
}

/** Image Builder's own pattern for schedule time zones. */
const TIME_ZONE_PATTERN = /^[a-zA-Z0-9]{2,}(?:\/[a-zA-Z0-9-_+]+)*$/;

/**
 * The problem with an IANA time zone name, or undefined when it is known. Node's ICU data
 * decides what is known: the canonical names, their aliases and UTC.
 */
export function timeZoneProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 100 || !TIME_ZONE_PATTERN.test(name)) {
    return 'Image Builder takes an IANA time zone name such as \'Europe/Paris\' or \'UTC\'';
  }
  if (name === 'UTC' || Intl.supportedValuesOf('timeZone').includes(name)) {
    return undefined;
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return 'it is not an IANA time zone name';
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    return `time zone names are case-sensitive; the name is '${resolved}'`;
  }
  return undefined;
}
