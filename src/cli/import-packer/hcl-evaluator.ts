/**
 * Evaluates the expressions hcl2json hands back as `${...}` strings. The expressions are parsed by
 * HashiCorp's parser (hcl2json's getExpressionAst); this walks the syntax tree with the values the
 * importer knows. References Packer resolves only while building (`build.ID`) stay as text.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Hcl2Json from '@cdktn/hcl2json';
import { unresolved } from './build-time-values';
import { FunctionContext, HCL_FUNCTIONS } from './hcl-functions';

type Ast = Hcl2Json.TFExpressionSyntaxTree.ExpressionType;
type Meta = Record<string, unknown>;

/** Names an expression can reference; a name missing here is an error. */
export type HclScope = { readonly [name: string]: unknown };

/** An expression that cannot be evaluated (unknown variable, function error). */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
    Object.setPrototypeOf(this, EvaluationError.prototype);
  }
}

/** Roots Packer fills in while building: kept as text, reported by the mapping. */
const BUILD_TIME_ROOTS = new Set(['build', 'packer']);

const HEREDOC = 'PKRIMPORTEOT';

export class HclEvaluator {
  private readonly cache = new Map<string, Ast | null>();

  constructor(private readonly hcl: typeof Hcl2Json, private readonly context: FunctionContext) {}

  /** Evaluates a value from hcl2json's JSON: strings with `${` or `%{` are templates. */
  public async value(raw: unknown, scope: HclScope): Promise<unknown> {
    if (typeof raw === 'string') return this.template(raw, scope);
    if (Array.isArray(raw)) {
      const out: unknown[] = [];
      for (const item of raw) out.push(await this.value(item, scope));
      return out;
    }
    if (raw !== null && typeof raw === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) out[k] = await this.value(v, scope);
      return out;
    }
    return raw;
  }

  /** Evaluates one HCL expression given as source text (`var.x`, `"a-${b}"`). */
  public async expression(source: string, scope: HclScope): Promise<unknown> {
    return this.evaluate(await this.parse(source), source, scope);
  }

  private async template(text: string, scope: HclScope): Promise<unknown> {
    if (!/[$%]\{/.test(text)) return text;
    const whole = /^\$\{([\s\S]*)\}$/.exec(text);
    if (whole) {
      const ast = await this.tryParse(whole[1]);
      if (ast) return this.evaluate(ast, whole[1], scope);
    }
    const result = await this.expression(`<<${HEREDOC}\n${text}\n${HEREDOC}\n`, scope);
    return typeof result === 'string' ? result.replace(/\n$/, '') : result;
  }

  private async tryParse(source: string): Promise<Ast | null> {
    if (!this.cache.has(source)) {
      try {
        this.cache.set(source, await this.hcl.getExpressionAst('expression.hcl', source));
      } catch {
        this.cache.set(source, null);
      }
    }
    return this.cache.get(source) ?? null;
  }

  private async parse(source: string): Promise<Ast> {
    const ast = await this.tryParse(source);
    if (!ast) throw new EvaluationError(`cannot parse the expression ${source}`);
    return ast;
  }

  private async evaluate(node: Ast, source: string, scope: HclScope): Promise<unknown> {
    const meta = (node.meta ?? {}) as Meta;
    const children = (node.children ?? []) as Ast[];
    const each = (n: Ast) => this.evaluate(n, source, scope);
    switch (node.type) {
      case 'templateWrap':
        return each(children[0]);
      case 'template': {
        const parts = [];
        for (const child of children) parts.push(await each(child));
        if (parts.length === 1 && children[0].type !== 'literalValue') return parts[0];
        return parts.map(p => (p === null ? '' : typeof p === 'object' ? JSON.stringify(p) : String(p))).join('');
      }
      case 'literalValue':
        return literal(meta);
      case 'tuple': {
        const out = [];
        for (const child of children) out.push(await each(child));
        return out;
      }
      case 'object':
        return this.object(node, source, scope);
      case 'scopeTraversal':
        return traverse(rootValue(meta, scope), (meta.traversal as Array<{ type: string; segment: string }>).slice(1), String(meta.fullAccessor));
      case 'relativeTraversal':
        return traverse(await each(children[0]), meta.traversal as Array<{ type: string; segment: string }>, String(meta.value));
      case 'index': {
        const collection = await this.expression(String(meta.collectionExpression), scope);
        const key = await this.expression(String(meta.keyExpression), scope);
        return traverse(collection, [{ type: 'indexTraversal', segment: JSON.stringify(key) }], String(meta.value));
      }
      case 'splat': {
        const list = await this.expression(String(meta.sourceExpression), scope);
        const eachExpression = String(meta.eachExpression).replace(String(meta.anonSymbolExpression), 'pkrimport_splat');
        const out = [];
        for (const item of Array.isArray(list) ? list : [list]) {
          out.push(await this.expression(eachExpression, { ...scope, pkrimport_splat: item }));
        }
        return out;
      }
      case 'conditional': {
        const condition = await each(children[0]);
        return each(condition ? children[1] : children[2]);
      }
      case 'unaryOp': {
        const v = await each(children[0]);
        return meta.operator === 'logicalNot' ? !v : -Number(v);
      }
      case 'binaryOp':
        return binary(String(meta.operator), await each(children[0]), await each(children[1]));
      case 'function':
        return this.call(String(meta.name), children, Boolean(meta.expandedFinalArgument), source, scope);
      case 'for':
        return this.forExpression(meta, scope);
      default:
        throw new EvaluationError(`unsupported expression ${String(meta.value ?? source)}`);
    }
  }

  private async object(node: Ast, source: string, scope: HclScope): Promise<Record<string, unknown>> {
    const children = node.children as Ast[];
    const out: Record<string, unknown> = {};
    for (let k = 0; k + 1 < children.length; k += 2) {
      const keyNode = children[k];
      const key = keyNode.children?.length
        ? String(await this.evaluate(keyNode.children[0] as Ast, source, scope))
        : source.slice(keyNode.range.start.byte, keyNode.range.end.byte).trim();
      out[key] = await this.evaluate(children[k + 1], source, scope);
    }
    return out;
  }

  private async call(name: string, args: Ast[], expand: boolean, source: string, scope: HclScope): Promise<unknown> {
    if (name === 'try' || name === 'can') {
      for (const arg of args) {
        try {
          const v = await this.evaluate(arg, source, scope);
          return name === 'can' ? true : v;
        } catch {
          // try the next one
        }
      }
      if (name === 'can') return false;
      throw new EvaluationError('try(): no argument could be evaluated');
    }
    const values: unknown[] = [];
    for (const arg of args) values.push(await this.evaluate(arg, source, scope));
    if (expand && Array.isArray(values[values.length - 1])) values.push(...(values.pop() as unknown[]));
    if (name === 'templatefile') {
      const file = path.resolve(this.context.root, String(values[0]));
      const text = fs.readFileSync(file, 'utf8');
      return this.context.renderTemplate(text, file, (values[1] ?? {}) as Record<string, unknown>);
    }
    const fn = HCL_FUNCTIONS[name];
    if (!fn) throw new EvaluationError(`the function ${name}() is not one the importer evaluates`);
    try {
      return fn(values, this.context);
    } catch (e) {
      throw new EvaluationError(e instanceof Error ? e.message : String(e));
    }
  }

  private async forExpression(meta: Meta, scope: HclScope): Promise<unknown> {
    const collection = await this.expression(String(meta.collectionExpression), scope);
    const entries: Array<[unknown, unknown]> = Array.isArray(collection)
      ? collection.map((v, i) => [i, v])
      : Object.entries((collection ?? {}) as Record<string, unknown>);
    const keyVar = String(meta.keyVar ?? '');
    const valVar = String(meta.valVar);
    const isObject = Boolean(meta.keyExpression);
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const inner = { ...scope, [valVar]: v, ...(keyVar ? { [keyVar]: k } : {}) };
      if (meta.conditionalExpression && !(await this.expression(String(meta.conditionalExpression), inner))) continue;
      const value = await this.expression(String(meta.valueExpression), inner);
      if (isObject) map[String(await this.expression(String(meta.keyExpression), inner))] = value;
      else list.push(value);
    }
    return isObject ? map : list;
  }
}

function literal(meta: Meta): unknown {
  const v = String(meta.value);
  switch (meta.type) {
    case 'number':
      return Number(v);
    case 'bool':
      return v === 'true';
    case 'string':
      return v;
    default:
      return v === 'null' ? null : v;
  }
}

function rootValue(meta: Meta, scope: HclScope): unknown {
  const traversal = meta.traversal as Array<{ segment: string }>;
  const root = traversal[0].segment;
  if (root === 'var' && !(traversal[1]?.segment in ((scope.var ?? {}) as object))) {
    throw new EvaluationError(`unknown variable ${String(meta.fullAccessor)}: declare it with a variable block`);
  }
  if (root in scope) return scope[root];
  if (BUILD_TIME_ROOTS.has(root)) return unresolved(String(meta.fullAccessor));
  throw new EvaluationError(`unknown reference ${String(meta.fullAccessor)}`);
}

function traverse(start: unknown, steps: Array<{ type: string; segment: string }>, accessor: string): unknown {
  let value = start;
  for (const step of steps) {
    if (typeof value === 'string' && value.startsWith('{{ ')) return value;
    const key = step.type === 'indexTraversal' ? indexKey(step.segment) : step.segment;
    if (value === null || typeof value !== 'object' || !(String(key) in (value as object))) {
      throw new EvaluationError(`${accessor} has no attribute or index ${String(key)}`);
    }
    value = (value as Record<string, unknown>)[String(key)];
  }
  return value;
}

function indexKey(segment: string): string | number {
  const s = segment.replace(/^\[|\]$/g, '');
  if (/^".*"$/.test(s)) return JSON.parse(s) as string;
  return /^\d+$/.test(s) ? Number(s) : s;
}

function binary(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case 'equal': return JSON.stringify(a) === JSON.stringify(b);
    case 'notEqual': return JSON.stringify(a) !== JSON.stringify(b);
    case 'greaterThan': return Number(a) > Number(b);
    case 'greaterThanOrEqual': return Number(a) >= Number(b);
    case 'lessThan': return Number(a) < Number(b);
    case 'lessThanOrEqual': return Number(a) <= Number(b);
    case 'logicalAnd': return Boolean(a) && Boolean(b);
    case 'logicalOr': return Boolean(a) || Boolean(b);
    case 'add': return Number(a) + Number(b);
    case 'subtract': return Number(a) - Number(b);
    case 'multiply': return Number(a) * Number(b);
    case 'divide': return Number(a) / Number(b);
    case 'modulo': return Number(a) % Number(b);
    default: throw new EvaluationError(`unsupported operator ${op}`);
  }
}
