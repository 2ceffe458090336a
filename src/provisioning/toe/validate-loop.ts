import { TOE_NAME } from './expressions';
import { checkKeys, childPath, describe, FindingList, isMap, isScalar, reportNotAString, unquotedExpression } from './findings';
import { isUnresolved } from './tokens';

/**
 * Checks a step's looping construct: `for: { start, end, updateBy }`, `forEach: [values]` or
 * `forEach: { list, delimiter }`, with an optional name unique within the phase. Expressions in
 * the loop's values are checked with the step's other expressions.
 */

const LOOP_KEYS = ['name', 'for', 'forEach'];
const FOR_KEYS = ['start', 'end', 'updateBy'];
const FOR_EACH_KEYS = ['list', 'delimiter'];
/** The characters a delimited `forEach` list may be split on. */
const LOOP_DELIMITERS = ['.', ',', ';', ':', '\n', '\t', ' ', '-', '_'];

/**
 * @param loopNames the names of the loops seen so far in the phase, with their step index
 */
export function checkLoop(findings: FindingList, loop: unknown, path: string, loopNames: Map<string, number>, stepIndex: number): void {
  if (!isMap(loop)) {
    findings.error(path, `must be a map with for: { start, end, updateBy } or forEach: [...], not ${describe(loop)}`);
    return;
  }
  checkKeys(findings, loop, path, LOOP_KEYS, 'a loop');
  if (loop.name !== undefined) {
    checkLoopName(findings, loop.name, childPath(path, 'name'), loopNames, stepIndex);
  }
  const hasFor = loop.for !== undefined;
  const hasForEach = loop.forEach !== undefined;
  if (hasFor && hasForEach) {
    findings.error(path, 'has both for and forEach: a loop has one of them, so split it into two steps');
  } else if (!hasFor && !hasForEach) {
    findings.error(path, 'needs for: { start, end, updateBy } or forEach: [...]');
  } else if (hasFor) {
    checkRange(findings, loop.for, childPath(path, 'for'));
  } else {
    checkValues(findings, loop.forEach, childPath(path, 'forEach'));
  }
}

function checkLoopName(findings: FindingList, name: unknown, path: string, loopNames: Map<string, number>, stepIndex: number): void {
  if (typeof name !== 'string') {
    reportNotAString(findings, path, name);
  } else if (!TOE_NAME.test(name)) {
    findings.error(path, `'${name}' is not a usable loop name: use letters, digits, '-' and '_' (it is referred to as {{ ${name}.value }})`);
  } else if (loopNames.has(name)) {
    findings.error(path, `'${name}' is already the name of the loop of steps[${loopNames.get(name)}]: loop names must be unique within a phase`);
  } else {
    loopNames.set(name, stepIndex);
  }
}

function checkRange(findings: FindingList, range: unknown, path: string): void {
  if (!isMap(range)) {
    findings.error(path, `must be a map with start, end and updateBy, not ${describe(range)}`);
    return;
  }
  checkKeys(findings, range, path, FOR_KEYS, 'a for loop');
  for (const key of FOR_KEYS) {
    const value = range[key];
    if (value === undefined) {
      findings.error(path, `has no ${key}: a for loop needs start, end and updateBy`);
    } else if (!Number.isInteger(value)) {
      findings.error(childPath(path, key), `must be a whole number (expressions are not allowed here), not ${describe(value)}`);
    }
  }
  const { start, end, updateBy } = range as { start: number; end: number; updateBy: number };
  if (![start, end, updateBy].every(Number.isInteger) || [start, end, updateBy].some(isUnresolved)) {
    return;
  }
  // AWSTOE refuses a range that would loop forever.
  if (updateBy === 0) {
    findings.error(childPath(path, 'updateBy'), 'must not be 0: the loop would never end');
  } else if ((end - start) * updateBy < 0) {
    findings.error(childPath(path, 'updateBy'), `must be ${updateBy > 0 ? 'negative' : 'positive'} to go from ${start} to ${end}: `
      + `with ${updateBy} the loop would never reach the end`);
  }
}

function checkValues(findings: FindingList, values: unknown, path: string): void {
  if (Array.isArray(values)) {
    if (values.length === 0) {
      findings.error(path, 'is an empty list: give the values to iterate over');
    }
    values.forEach((item, i) => {
      if (!isScalar(item) && !unquotedExpression(item)) {
        findings.error(childPath(path, i), `must be a string (loops iterate over strings), not ${describe(item)}`);
      }
    });
    return;
  }
  if (unquotedExpression(values)) {
    return;
  }
  if (!isMap(values)) {
    findings.error(path, `must be a list of values or a map with list and delimiter, not ${describe(values)}`);
    return;
  }
  checkKeys(findings, values, path, FOR_EACH_KEYS, 'a delimited forEach');
  if (values.list === undefined) {
    findings.error(path, 'has no list: give the string to split, like list: \'a,b,c\'');
  } else if (typeof values.list !== 'string' && !unquotedExpression(values.list)) {
    findings.error(childPath(path, 'list'), `must be one string of values joined by the delimiter, not ${describe(values.list)}`);
  }
  const delimiter = values.delimiter;
  if (delimiter !== undefined && !(typeof delimiter === 'string' && LOOP_DELIMITERS.includes(delimiter))) {
    findings.error(childPath(path, 'delimiter'), `must be one character among . , ; : space tab newline - _ (expressions are not allowed), not ${describe(delimiter)}`);
  }
}
