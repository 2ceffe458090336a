/**
 * Reads an HCL2 template (one file or a folder of `.pkr.hcl` and `.pkr.json` files): variables with Packer's
 * precedence, locals, data sources, sources and builds, with provisioners in source order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { childrenOf, HclItem, scanHcl } from './hcl-block-scanner';
import { EvaluationError, HclEvaluator, HclScope } from './hcl-evaluator';
import { FunctionContext } from './hcl-functions';
import { readHclJsonSyntax } from './hcl-json-syntax';
import { hclParser, parseHclFile } from './hcl-parser';
import { CREDENTIAL_VARIABLE } from './mapping-context';
import { PackerImage, PackerSource, PackerStep, PackerTemplate, PackerVariable, TemplateNote } from './packer-template';
import { templateError } from './template-error';
import { autoVarFiles, environmentValues, parseVarFlags, readVarFile, VariableValue } from './var-files';

/** What import-packer was given besides the template. */
export interface TemplateInputs {
  readonly varFiles: readonly string[];
  readonly vars: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** A data source the mapping understands, referenced by a sentinel string. */
export const DATA_PREFIX = 'pkrimportdata:';

interface ParsedFile {
  readonly file: string;
  readonly text: string;
  readonly json: Record<string, any>;
  readonly items: HclItem[];
}

/** Blocks of one type in one file, in source order, paired with hcl2json's values. */
interface Located<T> {
  readonly file: ParsedFile;
  readonly item: HclItem;
  readonly index: number;
  readonly body: T;
}

export async function readHclTemplate(files: readonly string[], root: string, inputs: TemplateInputs): Promise<PackerTemplate> {
  const parsed: ParsedFile[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    parsed.push(file.endsWith('.json')
      ? { file, text, ...readHclJsonSyntax(file, text) }
      : { file, text, json: await parseHclFile(file, text), items: scanHcl(text) });
  }
  const notes: TemplateNote[] = [];
  const context: FunctionContext = {
    root,
    env: inputs.env,
    renderTemplate: async (text: string, _file: string, vars: Record<string, unknown>): Promise<string> =>
      String(await evaluator.value(text, { ...vars })),
  };
  const evaluator: HclEvaluator = new HclEvaluator(hclParser(), context);
  const pathScope = { root, cwd: process.cwd() };

  const { values: variableValues, variables, sensitiveValues } = await resolveVariables(parsed, inputs, evaluator, notes);
  const scope: Record<string, unknown> = { var: variableValues, path: pathScope };
  scope.local = await resolveLocals(parsed, evaluator, scope);
  scope.data = {};
  await resolveData(parsed, evaluator, scope, notes);

  const sources = new Map<string, Located<Record<string, unknown>>>();
  for (const block of blocksOf(parsed, 'source')) {
    sources.set(`${block.item.labels[0]}.${block.item.labels[1]}`, block);
  }
  const images: PackerImage[] = [];
  for (const build of blocksOf(parsed, 'build')) {
    images.push(...await readBuild(build, sources, evaluator, scope));
  }
  if (images.length === 0) {
    throw templateError(files[0], undefined, undefined, 'no build block with sources: nothing to import. Add build { sources = ["source.amazon-ebs.NAME"] }');
  }
  return {
    language: 'hcl2',
    files: [...files, ...inputs.varFiles],
    root,
    images,
    variables,
    sensitiveValues,
    notes,
  };
}

/** Every block of `type` across the files, each paired with its hcl2json body. */
function blocksOf(parsed: readonly ParsedFile[], type: string): Array<Located<Record<string, unknown>>> {
  const out: Array<Located<Record<string, unknown>>> = [];
  for (const file of parsed) {
    const counters = new Map<string, number>();
    for (const { item, index } of childrenOf(file.items, -1)) {
      if (item.kind !== 'block' || item.name !== type) continue;
      const key = item.labels.join('\u0000');
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      let node: unknown = file.json[type];
      for (const label of item.labels) node = (node as Record<string, unknown> | undefined)?.[label];
      const body = Array.isArray(node) ? node[n] : undefined;
      if (body !== undefined) out.push({ file, item, index, body: body as Record<string, unknown> });
    }
  }
  return out;
}

/** The line of attribute or block `name` directly inside item `index`. */
function lineIn(file: ParsedFile, index: number, name: string): number | undefined {
  return childrenOf(file.items, index).find(c => c.item.name === name)?.item.line;
}

function linesOf(file: ParsedFile, index: number): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const { item } of childrenOf(file.items, index)) {
    const key = item.name === 'dynamic' ? item.labels[0] : item.name;
    lines[key] ??= item.line;
  }
  return lines;
}

async function resolveVariables(parsed: readonly ParsedFile[], inputs: TemplateInputs, evaluator: HclEvaluator, notes: TemplateNote[]) {
  interface Declared { variable: PackerVariable; type?: string; value?: unknown }
  const declared = new Map<string, Declared>();
  for (const block of blocksOf(parsed, 'variable')) {
    const name = block.item.labels[0];
    const body = block.body;
    const hasDefault = 'default' in body;
    declared.set(name, {
      variable: { name, file: block.file.file, line: block.item.line, sensitive: body.sensitive === true, set: hasDefault },
      type: typeof body.type === 'string' ? body.type.replace(/^\$\{|\}$/g, '') : undefined,
      value: hasDefault ? await evaluator.value(body.default, { path: {} }) : undefined,
    });
  }
  // The legacy `variables { name = default }` block.
  for (const file of parsed) {
    for (const { item, index } of childrenOf(file.items, -1)) {
      if (item.kind !== 'block' || item.name !== 'variables') continue;
      const bodies = (file.json.variables ?? []) as Array<Record<string, unknown>>;
      for (const body of bodies) {
        for (const [name, raw] of Object.entries(body)) {
          declared.set(name, {
            variable: { name, file: file.file, line: lineIn(file, index, name) ?? item.line, sensitive: false, set: true },
            value: await evaluator.value(raw, {}),
          });
        }
      }
      break;
    }
  }

  const folder = path.dirname(parsed[0].file);
  const layers: Array<Map<string, VariableValue>> = [environmentValues(inputs.env)];
  for (const file of [...autoVarFiles(folder), ...inputs.varFiles]) layers.push(await readVarFile(file, 'hcl2'));
  const flags = parseVarFlags(inputs.vars);
  for (const name of flags.keys()) {
    if (!declared.has(name)) throw templateError('--var', undefined, undefined, `${name} is not a variable of the template (declared: ${[...declared.keys()].join(', ') || 'none'}). Declare it with variable "${name}" {} or fix the name`);
  }
  layers.push(flags);
  for (const layer of layers) {
    for (const [name, given] of layer) {
      const d = declared.get(name);
      if (!d) {
        if (given.file) notes.push({ file: given.file, line: given.line ?? 1, item: `variable ${name}`, message: 'set in a var-file but not declared by the template: ignored (Packer warns too)' });
        continue;
      }
      d.value = given.raw && d.type && d.type !== 'string' ? await evaluator.expression(String(given.value), {}).catch(() => given.value) : given.value;
      d.variable = { ...d.variable, set: true };
    }
  }
  const values: Record<string, unknown> = {};
  const sensitiveValues = new Map<string, string>();
  for (const [name, d] of declared) {
    values[name] = d.value ?? null;
    if ((d.variable.sensitive || CREDENTIAL_VARIABLE.test(name)) && typeof d.value === 'string' && d.value !== '') sensitiveValues.set(name, d.value);
  }
  return { values, variables: [...declared.values()].map(d => d.variable), sensitiveValues };
}

async function resolveLocals(parsed: readonly ParsedFile[], evaluator: HclEvaluator, scope: HclScope): Promise<Record<string, unknown>> {
  const pending = new Map<string, { raw: unknown; file: string; line: number }>();
  for (const file of parsed) {
    const bodies = (file.json.locals ?? []) as Array<Record<string, unknown>>;
    const blocks = childrenOf(file.items, -1).filter(c => c.item.kind === 'block' && c.item.name === 'locals');
    bodies.forEach((body, k) => {
      for (const [name, raw] of Object.entries(body)) {
        pending.set(name, { raw, file: file.file, line: (blocks[k] && lineIn(file, blocks[k].index, name)) ?? 1 });
      }
    });
    const singles = (file.json.local ?? {}) as Record<string, Array<Record<string, unknown>>>;
    for (const [name, list] of Object.entries(singles)) {
      pending.set(name, { raw: list[0]?.expression, file: file.file, line: 1 });
    }
  }
  const locals: Record<string, unknown> = {};
  // Locals may reference each other in any order: evaluate until nothing more resolves.
  while (pending.size > 0) {
    let progressed = false;
    let lastError: { name: string; error: unknown } | undefined;
    for (const [name, local] of pending) {
      try {
        locals[name] = await evaluator.value(local.raw, { ...scope, local: locals });
        pending.delete(name);
        progressed = true;
      } catch (e) {
        if (!lastError || /local\./.test(messageOf(lastError.error))) lastError = { name, error: e };
      }
    }
    if (!progressed && lastError) {
      const local = pending.get(lastError.name)!;
      throw templateError(local.file, local.line, undefined, `local.${lastError.name}: ${messageOf(lastError.error)}`);
    }
  }
  return locals;
}

/** Fills scope.data in file order, so a data source may read the ones before it. */
async function resolveData(parsed: readonly ParsedFile[], evaluator: HclEvaluator, scope: HclScope, notes: TemplateNote[]): Promise<void> {
  const data = scope.data as Record<string, Record<string, unknown>>;
  for (const file of parsed) {
    for (const { item, index } of childrenOf(file.items, -1)) {
      if (item.kind !== 'block' || item.name !== 'data') continue;
      const [type, name] = item.labels;
      const body = ((file.json.data?.[type]?.[name] ?? [])[0] ?? {}) as Record<string, unknown>;
      const config = (await evaluateOrFail(evaluator, body, scope, file.file, item.line)) as Record<string, unknown>;
      const sentinel = `${DATA_PREFIX}${JSON.stringify({ type, name, config, file: file.file, line: item.line, lines: linesOf(file, index) })}`;
      data[type] ??= {};
      if (type === 'amazon-ami') {data[type][name] = { id: sentinel, name: sentinel };} else if (type === 'amazon-parameterstore') {data[type][name] = { value: sentinel, id: sentinel };} else {
        notes.push({
          file: file.file,
          line: item.line,
          item: `data "${type}" "${name}"`,
          message: type.startsWith('hcp-packer')
            ? 'HCP Packer registry: no equivalent. Image Builder keeps image versions itself; chain images with ParentImage.fromGoldenImage or an SSM parameter'
            : 'data source with no equivalent: its values stay as text in the generated code',
        });
        data[type][name] = new Proxy({}, { get: (_t, attr) => `{{ data.${type}.${name}.${String(attr)} }}`, has: () => true });
      }
    }
  }
}

async function evaluateOrFail(evaluator: HclEvaluator, raw: unknown, scope: HclScope, file: string, line: number): Promise<unknown> {
  try {
    return await evaluator.value(raw, scope);
  } catch (e) {
    if (e instanceof EvaluationError) throw templateError(file, line, undefined, e.message);
    throw e;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Evaluates a block body, expanding `dynamic` blocks. */
async function evaluateBody(
  evaluator: HclEvaluator, body: Record<string, unknown>, scope: HclScope, file: string, line: number,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'dynamic') {
      for (const [blockName, list] of Object.entries(raw as Record<string, Array<Record<string, any>>>)) {
        for (const dyn of list) {
          const forEach = await evaluateOrFail(evaluator, dyn.for_each, scope, file, line);
          const entries: Array<[unknown, unknown]> = Array.isArray(forEach)
            ? forEach.map((v, i) => [i, v])
            : Object.entries((forEach ?? {}) as object);
          const iterator = typeof dyn.iterator === 'string' ? dyn.iterator : blockName;
          const content = (Array.isArray(dyn.content) ? dyn.content[0] : dyn.content) as Record<string, unknown>;
          for (const [k, v] of entries) {
            const block = await evaluateBody(evaluator, content, { ...scope, [iterator]: { key: k, value: v } }, file, line);
            const existing = (out[blockName] ?? []) as unknown[];
            out[blockName] = [...existing, dropNulls(block)];
          }
        }
      }
      continue;
    }
    const value = await evaluateOrFail(evaluator, raw, scope, file, line);
    if (value !== null) out[key] = value;
  }
  return out;
}

function dropNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

async function readBuild(
  build: Located<Record<string, unknown>>,
  sources: Map<string, Located<Record<string, unknown>>>,
  evaluator: HclEvaluator,
  scope: HclScope,
): Promise<PackerImage[]> {
  const { file, index } = build;
  const buildName = typeof build.body.name === 'string' ? String(await evaluator.value(build.body.name, scope)) : undefined;
  const refs: Array<{ ref: string; overrides: Record<string, unknown>; line: number }> = [];
  for (const ref of (build.body.sources ?? []) as string[]) {
    refs.push({ ref: ref.replace(/^source\./, ''), overrides: {}, line: lineIn(file, index, 'sources') ?? build.item.line });
  }
  // `source "amazon-ebs.x" { name = "y" ... }` inside the build: the source with fields overridden.
  const inner = childrenOf(file.items, index).filter(c => c.item.kind === 'block' && c.item.name === 'source');
  const counters = new Map<string, number>();
  for (const { item } of inner) {
    const ref = item.labels[0].replace(/^source\./, '');
    const n = counters.get(ref) ?? 0;
    counters.set(ref, n + 1);
    const overrides = ((build.body.source as Record<string, unknown[]> | undefined)?.[item.labels[0]]?.[n] ?? {}) as Record<string, unknown>;
    refs.push({ ref, overrides, line: item.line });
  }

  const images: PackerImage[] = [];
  for (const { ref, overrides, line } of refs) {
    const located = sources.get(ref);
    if (!located) {
      throw templateError(file.file, line, undefined, `the build names source.${ref}, which no source block declares. Declare source "${ref.split('.')[0]}" "${ref.split('.')[1]}" {} or fix the name`);
    }
    const [type, baseName] = ref.split('.');
    const shortName = typeof overrides.name === 'string' ? overrides.name : baseName;
    const sourceScope = { ...scope, source: { name: shortName, type } };
    const config = await evaluateBody(evaluator, { ...located.body, ...withoutName(overrides) }, sourceScope, located.file.file, located.item.line);
    const source: PackerSource = {
      type,
      name: `${type}.${shortName}`,
      shortName,
      config,
      file: located.file.file,
      line: located.item.line,
      lines: linesOf(located.file, located.index),
    };
    images.push({
      buildName,
      source,
      provisioners: await readSteps(file, index, 'provisioner', build.body, evaluator, sourceScope, source),
      postProcessors: await readPostProcessors(file, index, build.body, evaluator, sourceScope, source),
    });
  }
  return images;
}

function withoutName(o: Record<string, unknown>): Record<string, unknown> {
  const { name: _name, ...rest } = o;
  return rest;
}

/** Steps of one kind inside a block, in source order, for one source (only/except applied). */
async function readSteps(
  file: ParsedFile,
  parentIndex: number,
  kind: 'provisioner' | 'post-processor',
  body: Record<string, unknown>,
  evaluator: HclEvaluator,
  scope: HclScope,
  source: PackerSource,
): Promise<PackerStep[]> {
  const grouped = (body[kind] ?? {}) as Record<string, Array<Record<string, unknown>>>;
  const counters = new Map<string, number>();
  const steps: PackerStep[] = [];
  for (const { item, index } of childrenOf(file.items, parentIndex)) {
    if (item.kind !== 'block' || item.name !== kind) continue;
    const type = item.labels[0];
    const n = counters.get(type) ?? 0;
    counters.set(type, n + 1);
    const raw = grouped[type]?.[n] ?? {};
    const config = await evaluateBody(evaluator, raw, scope, file.file, item.line);
    const step: PackerStep = {
      type,
      config,
      only: config.only as string[] | undefined,
      except: config.except as string[] | undefined,
      file: file.file,
      line: item.line,
      lines: linesOf(file, index),
    };
    if (appliesTo(step, source)) steps.push(step);
  }
  return steps;
}

async function readPostProcessors(
  file: ParsedFile, buildIndex: number, body: Record<string, unknown>, evaluator: HclEvaluator, scope: HclScope, source: PackerSource,
): Promise<PackerStep[]> {
  const steps = await readSteps(file, buildIndex, 'post-processor', body, evaluator, scope, source);
  const chains = childrenOf(file.items, buildIndex).filter(c => c.item.kind === 'block' && c.item.name === 'post-processors');
  const chainBodies = (body['post-processors'] ?? []) as Array<Record<string, unknown>>;
  for (let k = 0; k < chains.length; k++) {
    steps.push(...await readSteps(file, chains[k].index, 'post-processor', chainBodies[k] ?? {}, evaluator, scope, source));
  }
  return steps.sort((a, b) => a.line - b.line);
}

/** Packer's only/except: names are `type.name` in HCL2 (the builder's name in JSON). */
export function appliesTo(step: { only?: readonly string[]; except?: readonly string[] }, source: PackerSource): boolean {
  const names = [source.name, source.shortName, source.name.replace(/^source\./, '')];
  const matches = (list: readonly string[]) => list.some(n => names.includes(n.replace(/^source\./, '')));
  if (step.only && !matches(step.only)) return false;
  if (step.except && matches(step.except)) return false;
  return true;
}
