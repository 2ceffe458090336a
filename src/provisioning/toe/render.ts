import { ToeDocument } from './component-document';
import { isUnresolved, numberTokenText } from './tokens';
import { isLiteralSafe, isPlainSafe, literalBlock, quoted } from './yaml-scalar';

/**
 * Deterministic YAML for component documents. The same document always renders to the same
 * bytes, so a component's content hash (and with it its version) changes only when the
 * document does.
 *
 * Known keys come in a fixed order; other keys keep the order they were given in. Lists are
 * indented under their key, as in the AWSTOE documentation. Multi-line strings are literal
 * block scalars and no line is folded. A string is quoted whenever a YAML 1.1 or 1.2 reader
 * would read it as something else (`yes`, `1.0`, `~`, `a: b`, `#x`, ...) and whenever it
 * holds `{{`, as AWSTOE requires for expressions, or a CDK token.
 */

/** The order of known keys, by where a map sits in the document. */
type Context =
  | 'document' | 'schemaVersion' | 'phase' | 'step' | 'loop' | 'for' | 'forEach'
  | 'parameterEntry' | 'parameter' | 'constantEntry' | 'constant' | 'other';

const KEY_ORDER: Record<Context, readonly string[]> = {
  document: ['name', 'description', 'schemaVersion', 'parameters', 'constants', 'phases'],
  schemaVersion: [],
  phase: ['name', 'steps'],
  step: ['name', 'action', 'timeoutSeconds', 'onFailure', 'maxAttempts', 'loop', 'if', 'inputs'],
  loop: ['name', 'for', 'forEach'],
  for: ['start', 'end', 'updateBy'],
  forEach: ['list', 'delimiter'],
  parameterEntry: [],
  parameter: ['type', 'default', 'description'],
  constantEntry: [],
  constant: ['type', 'value'],
  other: [],
};

const INDENT = 2;

/** Deterministic YAML text of a component document, ending with a newline. */
export function renderComponentDocument(doc: ToeDocument): string {
  return `${new Renderer().map(doc as unknown as Record<string, unknown>, 0, 'document').join('\n')}\n`;
}

class Renderer {
  private readonly open = new Set<object>();

  public map(map: Record<string, unknown>, indent: number, context: Context): string[] {
    this.enter(map);
    const lines: string[] = [];
    for (const key of orderedKeys(map, context)) {
      const value = map[key];
      if (value === undefined) {
        continue;
      }
      lines.push(...this.entry(`${' '.repeat(indent)}${scalarKey(key)}:`, value, indent, childContext(context, key)));
    }
    this.open.delete(map);
    return lines;
  }

  private sequence(items: readonly unknown[], indent: number, context: Context): string[] {
    this.enter(items);
    const lines: string[] = [];
    for (const item of items) {
      lines.push(...this.entry(`${' '.repeat(indent)}-`, item, indent, context));
    }
    this.open.delete(items);
    return lines;
  }

  /** `prefix` is `<indent>key:` or `<indent>-`; the value goes after it or on the lines below. */
  private entry(prefix: string, value: unknown, indent: number, context: Context): string[] {
    const nested = indent + INDENT;
    if (typeof value === 'string' && value.includes('\n') && isLiteralSafe(value) && /\S/.test(value)) {
      const block = literalBlock(value, nested);
      return [`${prefix} ${block.header}`, ...block.lines];
    }
    if (isPlainObject(value) && Object.keys(value).some(key => value[key] !== undefined)) {
      const lines = this.map(value, nested, context);
      return prefix.endsWith('-') ? [`${prefix} ${lines[0].slice(nested)}`, ...lines.slice(1)] : [prefix, ...lines];
    }
    if (Array.isArray(value) && value.length > 0) {
      const lines = this.sequence(value, nested, context);
      return prefix.endsWith('-') ? [`${prefix} ${lines[0].slice(nested)}`, ...lines.slice(1)] : [prefix, ...lines];
    }
    return [`${prefix} ${scalar(value, context)}`];
  }

  private enter(node: object): void {
    if (this.open.has(node)) {
      throw new Error('Cannot render a component document that contains itself');
    }
    this.open.add(node);
  }
}

function orderedKeys(map: Record<string, unknown>, context: Context): string[] {
  const known = KEY_ORDER[context].filter(key => Object.prototype.hasOwnProperty.call(map, key));
  return [...known, ...Object.keys(map).filter(key => !known.includes(key))];
}

/** The context of the value under `key` in a map of the given context. */
function childContext(context: Context, key: string): Context {
  switch (context) {
    case 'document':
      if (key === 'phases') return 'phase';
      if (key === 'parameters') return 'parameterEntry';
      if (key === 'constants') return 'constantEntry';
      if (key === 'schemaVersion') return 'schemaVersion';
      return 'other';
    case 'phase':
      return key === 'steps' ? 'step' : 'other';
    case 'step':
      return key === 'loop' ? 'loop' : 'other';
    case 'loop':
      if (key === 'for') return 'for';
      if (key === 'forEach') return 'forEach';
      return 'other';
    // `- Name: { type, ... }`: the definition under the name has its own key order.
    case 'parameterEntry':
      return 'parameter';
    case 'constantEntry':
      return 'constant';
    default:
      return 'other';
  }
}

function scalarKey(key: string): string {
  return isPlainSafe(key, true) ? key : quoted(key);
}

function scalar(value: unknown, context: Context): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return number(value, context);
  }
  if (typeof value === 'string') {
    // A token's value is spliced in after rendering, unescaped: quoting keeps values such as
    // `true` or an account id strings. (The value must hold no single quote or line break.)
    return isPlainSafe(value, false) && !isUnresolved(value) ? value : quoted(value);
  }
  if (Array.isArray(value)) {
    return '[]';
  }
  if (isPlainObject(value)) {
    return '{}';
  }
  throw new Error(`Cannot render ${typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value} in a component document`);
}

function number(value: number, context: Context): string {
  if (isUnresolved(value)) {
    return numberTokenText(value);
  }
  if (Number.isNaN(value)) {
    return '.nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '.inf' : '-.inf';
  }
  // A schema version given as the number 1 is written as the documented `1.0`.
  if (context === 'schemaVersion' && Number.isInteger(value)) {
    return `${value}.0`;
  }
  return Object.is(value, -0) ? '0' : String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
