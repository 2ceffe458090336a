/**
 * The HCL2 functions real Packer templates use, evaluated at import time. Time and UUID functions
 * return the build-time sentinels; file functions read relative to the template's folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUILD_DATE_SENTINEL, BUILD_VERSION_SENTINEL } from './build-time-values';

/** What file and environment functions need. */
export interface FunctionContext {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Renders a template file with variables (templatefile), through the HCL evaluator. */
  readonly renderTemplate: (text: string, file: string, vars: Record<string, unknown>) => Promise<string>;
}

export type HclFunction = (args: unknown[], context: FunctionContext) => unknown;

function str(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${fn}() expects a string, got ${JSON.stringify(value)}`);
}

function list(value: unknown, fn: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`${fn}() expects a list, got ${JSON.stringify(value)}`);
}

function object(value: unknown, fn: string): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new Error(`${fn}() expects an object, got ${JSON.stringify(value)}`);
}

/** Go's regexp syntax is close enough to JavaScript's for the patterns templates use. */
function goRegex(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'), flags);
}

function resolveFile(p: unknown, context: FunctionContext): string {
  const file = str(p, 'file');
  return path.resolve(context.root, file);
}

export const HCL_FUNCTIONS: { readonly [name: string]: HclFunction } = {
  timestamp: () => BUILD_DATE_SENTINEL,
  uuidv4: () => BUILD_VERSION_SENTINEL,
  // A formatted build time is still the build time: Image Builder's buildDate has its own format.
  formatdate: args => (String(args[1]).includes(BUILD_DATE_SENTINEL) ? BUILD_DATE_SENTINEL : str(args[1], 'formatdate')),
  regex_replace: args => str(args[0], 'regex_replace').replace(goRegex(str(args[1], 'regex_replace'), 'g'), str(args[2], 'regex_replace').replace(/\$\{?(\w+)\}?/g, '$$$1')),
  replace: args => {
    const s = str(args[0], 'replace');
    const search = str(args[1], 'replace');
    const m = /^\/(.*)\/$/.exec(search);
    return m ? s.replace(goRegex(m[1], 'g'), str(args[2], 'replace')) : s.split(search).join(str(args[2], 'replace'));
  },
  lower: args => str(args[0], 'lower').toLowerCase(),
  upper: args => str(args[0], 'upper').toUpperCase(),
  trimspace: args => str(args[0], 'trimspace').trim(),
  title: args => str(args[0], 'title').replace(/\b\w/g, c => c.toUpperCase()),
  format: args => {
    let k = 1;
    return str(args[0], 'format').replace(/%[sdvq%]/g, spec => (spec === '%%' ? '%' : spec === '%q' ? JSON.stringify(args[k++]) : String(args[k++])));
  },
  substr: args => str(args[0], 'substr').substr(Number(args[1]), Number(args[2]) < 0 ? undefined : Number(args[2])),
  merge: args => Object.assign({}, ...args.filter(a => a !== null).map(a => object(a, 'merge'))),
  concat: args => args.flatMap(a => list(a, 'concat')),
  join: args => list(args[1], 'join').map(v => str(v, 'join')).join(str(args[0], 'join')),
  split: args => str(args[1], 'split').split(str(args[0], 'split')),
  coalesce: args => {
    const found = args.find(a => a !== null && a !== '');
    if (found === undefined) throw new Error('coalesce() got no non-null, non-empty argument');
    return found;
  },
  coalescelist: args => args.find(a => Array.isArray(a) && a.length > 0) ?? [],
  length: args => (typeof args[0] === 'string' ? args[0].length : Array.isArray(args[0]) ? args[0].length : Object.keys(object(args[0], 'length')).length),
  keys: args => Object.keys(object(args[0], 'keys')).sort(),
  values: args => Object.keys(object(args[0], 'values')).sort().map(k => (args[0] as Record<string, unknown>)[k]),
  lookup: args => {
    const o = object(args[0], 'lookup');
    const k = str(args[1], 'lookup');
    if (k in o) return o[k];
    if (args.length > 2) return args[2];
    throw new Error(`lookup(): no key '${k}'`);
  },
  contains: args => list(args[0], 'contains').some(v => JSON.stringify(v) === JSON.stringify(args[1])),
  element: args => {
    const l = list(args[0], 'element');
    return l[Number(args[1]) % l.length];
  },
  flatten: args => list(args[0], 'flatten').flat(Infinity),
  distinct: args => [...new Map(list(args[0], 'distinct').map(v => [JSON.stringify(v), v])).values()],
  compact: args => list(args[0], 'compact').filter(v => v !== null && v !== ''),
  tostring: args => (args[0] === null ? null : str(args[0], 'tostring')),
  tonumber: args => (args[0] === null ? null : Number(args[0])),
  tobool: args => (args[0] === null ? null : args[0] === true || args[0] === 'true'),
  tolist: args => list(args[0], 'tolist'),
  toset: args => [...new Set(list(args[0], 'toset'))],
  tomap: args => object(args[0], 'tomap'),
  jsonencode: args => JSON.stringify(args[0]),
  jsondecode: args => JSON.parse(str(args[0], 'jsondecode')),
  base64encode: args => Buffer.from(str(args[0], 'base64encode')).toString('base64'),
  basename: args => path.basename(str(args[0], 'basename')),
  dirname: args => path.dirname(str(args[0], 'dirname')),
  abspath: (args, context) => path.resolve(context.root, str(args[0], 'abspath')),
  pathexpand: (args, context) => str(args[0], 'pathexpand').replace(/^~/, context.env.HOME ?? '~'),
  env: (args, context) => context.env[str(args[0], 'env')] ?? '',
  file: (args, context) => fs.readFileSync(resolveFile(args[0], context), 'utf8'),
  fileexists: (args, context) => fs.existsSync(resolveFile(args[0], context)),
  min: args => Math.min(...args.map(Number)),
  max: args => Math.max(...args.map(Number)),
};

/** Functions evaluated lazily (their arguments may fail): `try` and `can`. */
export const LAZY_FUNCTIONS = new Set(['try', 'can', 'templatefile']);
