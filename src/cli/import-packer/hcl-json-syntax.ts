/**
 * HCL2 in JSON syntax (`.pkr.json`). hcl2json reads only the native syntax, so a `.pkr.json` file
 * is read here and put into the two things the rest of the importer reads for a `.pkr.hcl` file:
 * hcl2json's JSON (blocks nested by type and labels, each body in a list, expressions as `${...}`
 * strings) and the scanner's block list (order and lines).
 *
 * HashiCorp's "JSON Configuration Syntax" (https://github.com/hashicorp/hcl/blob/main/json/spec.md,
 * https://developer.hashicorp.com/packer/docs/templates/hcl_templates/syntax-json): a block is a
 * property named by its type whose value is an object keyed by each label in turn, and at any of
 * those levels an array of such objects may stand for repeated blocks, in order (the way Packer
 * templates keep provisioners of different types in order). Strings are templates (`${var.x}`),
 * exactly as hcl2json prints expressions; a `"//"` property is a comment. The JSON gives no block
 * types, so which properties are blocks comes from Packer's schema below.
 *
 * Order and lines come from the document itself: a small reader keeps each property's position
 * (line of its key) so the report and errors name real lines, and a malformed file fails with
 * file:line:column.
 */
import { HclItem } from './hcl-block-scanner';
import { templateError } from './template-error';

/** A JSON value with where it starts. */
interface JsonNode {
  readonly line: number;
  readonly column: number;
  readonly value?: unknown;
  /** An object's properties in document order. */
  readonly entries?: ReadonlyArray<{ readonly key: string; readonly line: number; readonly node: JsonNode }>;
  /** An array's elements. */
  readonly elements?: readonly JsonNode[];
}

/** Packer's block types and their label counts, per body; any other property is an attribute. */
interface BlockSchema {
  readonly [type: string]: { readonly labels: number; readonly body?: BlockSchema };
}
/** `dynamic "name" { for_each, content }` may appear in any body. */
const ANY_BODY: BlockSchema = { dynamic: { labels: 1 } };
const STEP = { labels: 1 };
const BUILD: BlockSchema = {
  ...ANY_BODY,
  'source': { labels: 1 },
  'provisioner': STEP,
  'post-processor': STEP,
  'post-processors': { labels: 0, body: { 'post-processor': STEP } },
  'error-cleanup-provisioner': STEP,
  'hcp_packer_registry': { labels: 0 },
};
const TOP: BlockSchema = {
  packer: { labels: 0 },
  variable: { labels: 1 },
  variables: { labels: 0 },
  locals: { labels: 0 },
  local: { labels: 1 },
  source: { labels: 2 },
  data: { labels: 2 },
  build: { labels: 0, body: BUILD },
};

/** A `.pkr.json` file as hcl2json's JSON plus the block list, in document order. */
export function readHclJsonSyntax(file: string, text: string): { json: Record<string, any>; items: HclItem[] } {
  const root = readJson(file, text);
  if (!root.entries) throw templateError(file, root.line, root.column, 'a .pkr.json template is one JSON object ({ "source": ..., "build": ... })');
  const items: HclItem[] = [];
  return { json: normaliseBody(file, root, TOP, -1, items), items };
}

function normaliseBody(file: string, node: JsonNode, schema: BlockSchema, parent: number, items: HclItem[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const { key, line, node: child } of node.entries ?? []) {
    if (key === '//') continue;
    const block = schema[key];
    if (!block) {
      items.push({ kind: 'attribute', name: key, labels: [], line, parent });
      out[key] = plain(child);
      continue;
    }
    for (const found of blocksIn(file, key, child, block.labels, [], line)) {
      items.push({ kind: 'block', name: key, labels: found.labels, line: found.line, parent });
      const body = normaliseBody(file, found.body, block.body ?? ANY_BODY, items.length - 1, items);
      // hcl2json: type -> label -> ... -> [bodies].
      let level: Record<string, any> = out;
      let last = key;
      for (const label of found.labels) {
        level = (level[last] ??= {});
        last = label;
      }
      (level[last] ??= []).push(body);
    }
  }
  return out;
}

/** The blocks a property holds: objects keyed by the remaining labels, arrays for repeats. */
function blocksIn(
  file: string, type: string, node: JsonNode, labels: number, prefix: string[], line: number,
): Array<{ labels: string[]; line: number; body: JsonNode }> {
  if (node.elements) return node.elements.flatMap(e => blocksIn(file, type, e, labels, prefix, e.line));
  if (!node.entries) {
    throw templateError(file, node.line, node.column, `${type}${prefix.map(l => ` "${l}"`).join('')}: a block is a JSON object (or an array of objects), not ${JSON.stringify(node.value)}`);
  }
  if (labels === 0) return [{ labels: prefix, line, body: node }];
  return node.entries.filter(e => e.key !== '//').flatMap(e => blocksIn(file, type, e.node, labels - 1, [...prefix, e.key], e.line));
}

function plain(node: JsonNode): unknown {
  if (node.elements) return node.elements.map(plain);
  if (node.entries) return Object.fromEntries(node.entries.map(e => [e.key, plain(e.node)]));
  return node.value;
}

const TOKEN = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** JSON (RFC 8259) with the position of every value and key; a syntax error names line and column. */
function readJson(file: string, text: string): JsonNode {
  let i = 0;
  const position = (at: number) => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return { line, column: at - before.lastIndexOf('\n') };
  };
  const fail = (message: string): never => {
    const { line, column } = position(i);
    throw templateError(file, line, column, `${message} (not valid JSON; fix the template's JSON syntax)`);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const found = () => (i < text.length ? `'${text[i]}'` : 'the end of the file');
  const expect = (c: string) => {
    skipSpace();
    if (text[i] !== c) fail(`expected '${c}', found ${found()}`);
    i++;
  };
  /** After an opening bracket: items separated by commas up to `close`. */
  const sequence = <T>(close: string, item: () => T): T[] => {
    i++;
    const items: T[] = [];
    skipSpace();
    if (text[i] === close) {
      i++;
      return items;
    }
    for (;;) {
      items.push(item());
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
    return items;
  };
  const value = (): JsonNode => {
    skipSpace();
    const at = position(i);
    if (text[i] === '{') {
      const entries = sequence('}', () => {
        skipSpace();
        if (text[i] !== '"') fail(`expected a property name in quotes, found ${found()}`);
        const keyLine = position(i).line;
        const key = value().value as string;
        expect(':');
        return { key, line: keyLine, node: value() };
      });
      return { ...at, entries };
    }
    if (text[i] === '[') return { ...at, elements: sequence(']', value) };
    TOKEN.lastIndex = i;
    const token = TOKEN.exec(text);
    if (!token) return fail(`expected a value, found ${found()}`);
    i = TOKEN.lastIndex;
    return { ...at, value: JSON.parse(token[0]) };
  };
  const root = value();
  skipSpace();
  if (i < text.length) fail(`unexpected ${found()} after the top-level object`);
  return root;
}
