import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { serviceError } from './aws-errors';

/**
 * DynamoDB's condition and update expressions, the part of the grammar the fake accepts:
 * comparisons (= <> < <= > >=) of attributes and values, AND, OR, NOT, parentheses,
 * attribute_exists and attribute_not_exists; SET a = value, REMOVE a. Anything else is
 * refused loudly rather than half-understood. Placeholders follow DynamoDB's rules: every
 * #name and :value used must be given, and every one given must be used (ValidationException
 * "Value provided in ExpressionAttributeValues unused in expressions").
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */

export type Item = Record<string, AttributeValue>;

export interface Placeholders {
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  readonly usedNames: Set<string>;
  readonly usedValues: Set<string>;
}

export function placeholders(names: Record<string, string> | undefined, values: Record<string, AttributeValue> | undefined): Placeholders {
  return { names: names ?? {}, values: values ?? {}, usedNames: new Set(), usedValues: new Set() };
}

/** After parsing every expression of a request: placeholders given but not used are an error. */
export function requireAllUsed(p: Placeholders): void {
  const unusedValues = Object.keys(p.values).filter((k) => !p.usedValues.has(k));
  if (unusedValues.length > 0) {
    throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
  const unusedNames = Object.keys(p.names).filter((k) => !p.usedNames.has(k));
  if (unusedNames.length > 0) {
    throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
  }
}

type Token = { kind: 'name' | 'value' | 'word' | 'op' | '(' | ')' | ','; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|=|<|>)|(\()|(\))|(,))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) {
      break;
    }
    pattern.lastIndex = index;
    const m = pattern.exec(expression);
    if (!m) {
      throw validation(`Invalid expression: unexpected token at "${expression.slice(index)}"`);
    }
    index = pattern.lastIndex;
    const [, name, value, word, op, open, close, comma] = m;
    tokens.push(name ? { kind: 'name', text: name } : value ? { kind: 'value', text: value }
      : word ? { kind: 'word', text: word } : op ? { kind: 'op', text: op } : open ? { kind: '(', text: '(' } : close ? { kind: ')', text: ')' } : { kind: ',', text: comma! });
  }
  return tokens;
}

/** A parsed condition, evaluated against an item (undefined when the item does not exist). */
export type Condition = (item: Item | undefined) => boolean;

/** Parse a ConditionExpression. */
export function parseCondition(expression: string, p: Placeholders): Condition {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const keyword = (word: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === word;

  const operand = (): ((item: Item | undefined) => AttributeValue | undefined) => {
    const token = next();
    if (token?.kind === 'value') {
      const value = resolveValue(token.text, p);
      return () => value;
    }
    if (token?.kind === 'name' || token?.kind === 'word') {
      const attribute = resolveName(token, p);
      return (item) => item?.[attribute];
    }
    throw validation(`Invalid ConditionExpression: expected an operand, got "${token?.text ?? 'end'}"`);
  };
  const factor = (): Condition => {
    if (keyword('NOT')) {
      next();
      const inner = factor();
      return (item) => !inner(item);
    }
    if (peek()?.kind === '(') {
      next();
      const inner = disjunction();
      expect(next(), ')');
      return inner;
    }
    if (peek()?.kind === 'word' && tokens[i + 1]?.kind === '(') {
      const fn = next()!.text;
      next();
      const attribute = resolveName(next(), p);
      expect(next(), ')');
      if (fn === 'attribute_exists') {
        return (item) => item?.[attribute] !== undefined;
      }
      if (fn === 'attribute_not_exists') {
        return (item) => item?.[attribute] === undefined;
      }
      throw validation(`Invalid ConditionExpression: the fake does not implement function ${fn}`);
    }
    const left = operand();
    const op = next();
    if (op?.kind !== 'op') {
      throw validation(`Invalid ConditionExpression: expected a comparator, got "${op?.text ?? 'end'}"`);
    }
    const right = operand();
    return (item) => compare(left(item), op.text, right(item));
  };
  const conjunction = (): Condition => {
    let left = factor();
    while (keyword('AND')) {
      next();
      const a = left;
      const b = factor();
      left = (item) => a(item) && b(item);
    }
    return left;
  };
  const disjunction = (): Condition => {
    let left = conjunction();
    while (keyword('OR')) {
      next();
      const a = left;
      const b = conjunction();
      left = (item) => a(item) || b(item);
    }
    return left;
  };
  const condition = disjunction();
  if (i !== tokens.length) {
    throw validation(`Invalid ConditionExpression: unexpected "${tokens[i].text}"`);
  }
  return condition;
}

/** A parsed UpdateExpression: SET attribute = :value, …; REMOVE attribute, …. */
export interface UpdatePlan {
  readonly set: ReadonlyArray<readonly [string, AttributeValue]>;
  readonly remove: readonly string[];
}

export function parseUpdate(expression: string, p: Placeholders): UpdatePlan {
  const tokens = tokenize(expression);
  const set: [string, AttributeValue][] = [];
  const remove: string[] = [];
  let i = 0;
  const seen = new Set<string>();
  while (i < tokens.length) {
    const clause = tokens[i++];
    const kind = clause.kind === 'word' ? clause.text.toUpperCase() : '';
    if ((kind !== 'SET' && kind !== 'REMOVE') || seen.has(kind)) {
      throw validation(`Invalid UpdateExpression: the fake takes one SET and one REMOVE clause, got "${clause.text}"`);
    }
    seen.add(kind);
    do {
      const attribute = resolveName(tokens[i++], p);
      if (kind === 'SET') {
        expect(tokens[i++], '=');
        const value = tokens[i++];
        if (value?.kind !== 'value') {
          throw validation('Invalid UpdateExpression: the fake takes SET attribute = :value only');
        }
        set.push([attribute, resolveValue(value.text, p)]);
      } else {
        remove.push(attribute);
      }
    } while (tokens[i]?.kind === ',' && i++);
  }
  const both = set.map(([a]) => a).filter((a) => remove.includes(a));
  if (both.length > 0) {
    throw validation(`Invalid UpdateExpression: Two document paths overlap with each other; path one: [${both[0]}], path two: [${both[0]}]`);
  }
  return { set, remove };
}

function resolveName(token: Token | undefined, p: Placeholders): string {
  if (token?.kind === 'name') {
    const name = p.names[token.text];
    if (name === undefined) {
      throw validation(`An expression attribute name used in the document path is not defined; attribute name: ${token.text}`);
    }
    p.usedNames.add(token.text);
    return name;
  }
  if (token?.kind === 'word') {
    return token.text;
  }
  throw validation(`Invalid expression: expected an attribute name, got "${token?.text ?? 'end'}"`);
}

function resolveValue(text: string, p: Placeholders): AttributeValue {
  const value = p.values[text];
  if (value === undefined) {
    throw validation(`An expression attribute value used in expression is not defined; attribute value: ${text}`);
  }
  p.usedValues.add(text);
  return value;
}

function expect(token: Token | undefined, text: string): void {
  if (token?.text !== text) {
    throw validation(`Invalid expression: expected "${text}", got "${token?.text ?? 'end'}"`);
  }
}

// A comparison with an attribute the item lacks, or between values of different types, is
// false (the fake's reading of the docs, which say no more; the controller guards each of its
// comparisons with attribute_exists or attribute_not_exists anyway).
function compare(a: AttributeValue | undefined, op: string, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) {
    return false;
  }
  const numbers = a.N !== undefined && b.N !== undefined;
  const strings = a.S !== undefined && b.S !== undefined;
  const [x, y] = numbers ? [Number(a.N), Number(b.N)] : strings ? [a.S!, b.S!] : [undefined, undefined];
  if (x === undefined || y === undefined) {
    return false;
  }
  switch (op) {
    case '=': return x === y;
    case '<>': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

export function validation(message: string): Error {
  return serviceError('dynamodb', 'ValidationException', message);
}
