import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { GUEST_ENVIRONMENT } from '../sandbox/guest';

/**
 * AWSTOE's comparison and logical operators, as the Assert action and a step's `if` take them
 * ("Use comparison operators in AWSTOE component documents", Image Builder user guide): string
 * comparisons ignore case and keep spaces; a number comparison whose value is not a number is
 * false; file operators look inside the guest.
 */

/** What file operators need of the guest. */
export interface ConditionFiles {
  /** Host path of a guest path, links resolved inside the guest. */
  resolve(guestPath: string): string;
}

const STRING_OPERATORS: Record<string, (a: string, b: string) => boolean> = {
  stringEquals: (a, b) => a.toLowerCase() === b.toLowerCase(),
  stringLessThan: (a, b) => a.toLowerCase() < b.toLowerCase(),
  stringLessThanEquals: (a, b) => a.toLowerCase() <= b.toLowerCase(),
  stringGreaterThan: (a, b) => a.toLowerCase() > b.toLowerCase(),
  stringGreaterThanEquals: (a, b) => a.toLowerCase() >= b.toLowerCase(),
  patternMatches: (pattern, value) => new RegExp(pattern).test(value),
};

const NUMBER_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  numberEquals: (a, b) => a === b,
  numberLessThan: (a, b) => a < b,
  numberLessThanEquals: (a, b) => a <= b,
  numberGreaterThan: (a, b) => a > b,
  numberGreaterThanEquals: (a, b) => a >= b,
};

const HASH_OPERATORS: Record<string, string> = {
  fileMD5Equals: 'md5',
  fileSHA1Equals: 'sha1',
  fileSHA256Equals: 'sha256',
  fileSHA512Equals: 'sha512',
};

const LOGICAL = ['and', 'or', 'not'];
const SINGLE = ['stringIsEmpty', 'stringIsWhitespace', 'fileExists', 'folderExists', 'binaryExists'];

/** Every operator bake-local evaluates. */
export const CONDITION_OPERATORS: readonly string[] = [
  ...LOGICAL, ...SINGLE, ...Object.keys(STRING_OPERATORS), ...Object.keys(NUMBER_OPERATORS), ...Object.keys(HASH_OPERATORS),
];

/** Keys that sit beside an operator and are not one. */
const COMPANIONS = ['value', 'then', 'else'];

/** The operator of a condition map, or an error naming what is wrong with it. */
export function conditionOperator(condition: unknown): string {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new Error(`a condition must be a map with one operator, not ${JSON.stringify(condition)}`);
  }
  const operators = Object.keys(condition).filter(key => !COMPANIONS.includes(key));
  if (operators.length !== 1) {
    throw new Error(`a condition must hold exactly one operator, not ${operators.length === 0 ? 'none' : operators.join(', ')}`);
  }
  if (!CONDITION_OPERATORS.includes(operators[0])) {
    throw new Error(`the operator '${operators[0]}' is not one bake-local evaluates (${CONDITION_OPERATORS.join(', ')})`);
  }
  return operators[0];
}

/** Evaluates a condition map (expressions already substituted). */
export function evaluateCondition(condition: unknown, files: ConditionFiles): boolean {
  const operator = conditionOperator(condition);
  const map = condition as Record<string, unknown>;
  const operand = map[operator];
  const value = map.value;
  if (operator === 'and' || operator === 'or') {
    const items = Array.isArray(operand) ? operand : [];
    return operator === 'and' ? items.every(item => evaluateCondition(item, files)) : items.some(item => evaluateCondition(item, files));
  }
  if (operator === 'not') {
    return !evaluateCondition(operand, files);
  }
  if (operator === 'stringIsEmpty') {
    return String(operand ?? '') === '';
  }
  if (operator === 'stringIsWhitespace') {
    const s = String(operand ?? '');
    return s.length > 0 && s.trim() === '';
  }
  if (STRING_OPERATORS[operator]) {
    return STRING_OPERATORS[operator](String(operand), String(value));
  }
  if (NUMBER_OPERATORS[operator]) {
    const a = Number(operand);
    const b = Number(value);
    return Number.isFinite(a) && Number.isFinite(b) && String(value).trim() !== '' && NUMBER_OPERATORS[operator](a, b);
  }
  if (operator === 'fileExists' || operator === 'folderExists') {
    try {
      const isFolder = fs.statSync(files.resolve(String(operand))).isDirectory();
      return operator === 'folderExists' ? isFolder : !isFolder;
    } catch {
      return false;
    }
  }
  if (operator === 'binaryExists') {
    return binaryExists(String(operand), files);
  }
  const file = files.resolve(String(operand));
  if (!fs.existsSync(file)) {
    return false;
  }
  const digest = crypto.createHash(HASH_OPERATORS[operator]).update(fs.readFileSync(file)).digest('hex');
  return digest.toLowerCase() === String(value).toLowerCase();
}

function binaryExists(name: string, files: ConditionFiles): boolean {
  const candidates = name.includes('/') ? [name] : GUEST_ENVIRONMENT.PATH.split(':').map(dir => path.posix.join(dir, name));
  return candidates.some(candidate => {
    try {
      const file = files.resolve(candidate);
      // As root, X_OK holds when any execute bit is set.
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}
