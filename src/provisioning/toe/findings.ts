/**
 * Findings of the component document validator, and the small helpers that name where in a
 * document a finding is and describe a value in a message.
 */

/**
 * One problem in a component document. `error` findings make AWSTOE or Image Builder reject
 * or misrun the document; `warning` findings are very likely mistakes that AWSTOE may let pass
 * (for example an input key that the action does not document).
 */
export interface DocumentFinding {
  /** Where the problem is, like `phases[0].steps[2].inputs.commands`; empty for the document itself. */
  readonly path: string;
  /** What is wrong and how to fix it; starts with the path. */
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** Collects findings in document order. */
export class FindingList {
  public readonly findings: DocumentFinding[] = [];

  public error(path: string, message: string): void {
    this.findings.push({ path, message: withPath(path, message), severity: 'error' });
  }

  public warning(path: string, message: string): void {
    this.findings.push({ path, message: withPath(path, message), severity: 'warning' });
  }
}

function withPath(path: string, message: string): string {
  return path === '' ? `the document ${message}` : `${path} ${message}`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `base.key`, or `base["odd key"]` for keys that are not identifiers. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${base}[${key}]`;
  }
  if (PLAIN_KEY.test(key)) {
    return base === '' ? key : `${base}.${key}`;
  }
  return `${base}[${JSON.stringify(key)}]`;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strings, numbers and booleans: what YAML scalars become (AWSTOE reads all of them as text in string fields). */
export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Reports each key of `map` that is not in `allowed`, suggesting the intended key when it can tell. */
export function checkKeys(
  findings: FindingList,
  map: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
  what: string,
  aliases: Record<string, string> = {},
): void {
  for (const key of Object.keys(map)) {
    if (allowed.includes(key)) {
      continue;
    }
    const alias = aliases[key.toLowerCase()];
    const hint = alias ? ` (did you mean '${alias}'?)` : didYouMean(key, allowed);
    findings.error(childPath(path, key), `is not a key of ${what}${hint}: the keys are ${listWords(allowed.map(k => `'${k}'`))}`);
  }
}

/** Reports a value that should have been a string, explaining the quoting when it is an unquoted expression. */
export function reportNotAString(findings: FindingList, path: string, value: unknown): void {
  const expression = unquotedExpression(value);
  findings.error(path, expression ? quoteExpressionMessage(expression) : `must be a string, not ${describe(value)}`);
}

/** A short, quoted rendering of a value for messages. */
export function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `'${shown.replace(/\n/g, '\\n')}'`;
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (isMap(value)) {
    return 'a mapping';
  }
  return String(value);
}

/**
 * The expression an unquoted `{{ x }}` was meant to be, when YAML read it as a flow mapping.
 * YAML reads `{{ x }}` as a map whose only key is the map `{ x }`; the yaml library turns
 * that key into the string `{ x }` and gives it a null value.
 */
export function unquotedExpression(value: unknown): string | undefined {
  if (!isMap(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || value[keys[0]] !== null) {
    return undefined;
  }
  const match = /^\{\s*([^{}:]*?)\s*\}$/.exec(keys[0]);
  return match && match[1] !== '' ? `{{ ${match[1]} }}` : undefined;
}

/** The message for an unquoted expression that YAML read as a mapping. */
export function quoteExpressionMessage(expression: string): string {
  return `is a mapping, but a string was expected: YAML reads an unquoted ${expression} as a flow mapping. `
    + `Quote the value, for example '${expression}'`;
}

/** ` (did you mean 'x'?)` when a candidate differs from `value` only in case, otherwise ''. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const match = candidates.find(candidate => candidate.toLowerCase() === value.toLowerCase());
  return match !== undefined && match !== value ? ` (did you mean '${match}'? names are case-sensitive)` : '';
}

/** `a, b and c`. */
export function listWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
