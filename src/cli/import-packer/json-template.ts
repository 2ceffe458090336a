/**
 * Reads a legacy JSON template: variables (with sensitive-variables), named builders,
 * provisioners and post-processors (a nested list is a chain), with Packer's precedence for
 * var-files and --var.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderGoValue } from './go-template';
import { EvaluationError } from './hcl-evaluator';
import { appliesTo, TemplateInputs } from './hcl-template';
import { CREDENTIAL_VARIABLE } from './mapping-context';
import { PackerImage, PackerSource, PackerStep, PackerTemplate, PackerVariable, TemplateNote } from './packer-template';
import { templateError } from './template-error';
import { environmentValues, lineOf, parseJson, parseVarFlags, readVarFile, VariableValue } from './var-files';

/** Keys Packer reads itself, not a plugin's settings. */
const STEP_KEYS = new Set(['type', 'only', 'except', 'override', 'name']);

export async function readJsonTemplate(file: string, inputs: TemplateInputs): Promise<PackerTemplate> {
  const text = fs.readFileSync(file, 'utf8');
  const doc = parseJson(file, text) as Record<string, any>;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(doc.builders)) {
    throw templateError(file, 1, 1, 'not a Packer template: a JSON template is an object with a "builders" list');
  }
  const notes: TemplateNote[] = [];
  const root = path.dirname(path.resolve(file));
  const { values, variables, sensitiveValues } = await resolveVariables(file, text, doc, inputs, root);
  // Legacy templates read variables their var-files define without declaring them (Packer allows
  // it): one never set is empty, and reported.
  const undeclared = new Set<string>();
  const user = (name: string) => {
    if (!(name in values)) {
      if (!undeclared.has(name)) {
        undeclared.add(name);
        notes.push({ file, line: lineOf(text, `user \`${name}\``), item: `variable ${name}`, message: 'used but neither declared nor set: empty. Pass it with --var or --var-file' });
      }
      return '';
    }
    return values[name];
  };
  const cursor = new LineCursor(text);
  const render = (value: unknown, line: number, buildName?: string, buildType?: string) => {
    try {
      return renderGoValue(value, { user, env: inputs.env, templateDir: root, buildName, buildType });
    } catch (e) {
      if (e instanceof EvaluationError) throw templateError(file, line, undefined, e.message);
      throw e;
    }
  };

  cursor.seek('"builders"');
  const sources: PackerSource[] = [];
  for (const builder of doc.builders as Array<Record<string, unknown>>) {
    const type = String(builder.type);
    const line = cursor.next(`"${builder.name !== undefined ? 'name' : 'type'}"`);
    const rendered = typeof builder.name === 'string' ? String(render(builder.name, line) ?? '') : '';
    const name = rendered || type;
    const config = render(withoutStepKeys(builder), line, name, type) as Record<string, unknown>;
    sources.push({ type, name, shortName: name, config, file, line, lines: cursor.keyLines(config, line) });
  }

  const steps = (key: string): Array<Omit<PackerStep, 'config'> & { raw: Record<string, unknown>; override?: Record<string, unknown> }> => {
    const list = (doc[key] ?? []) as unknown[];
    cursor.seek(`"${key}"`);
    // A nested list in post-processors is a chain: its steps run in order, like a flat list here.
    return list.flatMap(entry => (Array.isArray(entry) ? entry : [entry])).map(entry => {
      const step = (typeof entry === 'string' ? { type: entry } : entry) as Record<string, unknown>;
      const line = cursor.next(`"${String(step.type)}"`);
      return {
        type: String(step.type),
        raw: withoutStepKeys(step),
        override: step.override as Record<string, unknown> | undefined,
        only: step.only as string[] | undefined,
        except: step.except as string[] | undefined,
        file,
        line,
        lines: cursor.keyLines(step, line),
      };
    });
  };
  const provisioners = steps('provisioners');
  const postProcessors = steps('post-processors');

  const images: PackerImage[] = sources.map(source => {
    const forSource = (list: typeof provisioners): PackerStep[] => list.filter(s => appliesTo(s, source)).map(({ raw, override, ...s }) => ({
      ...s,
      config: render({ ...raw, ...(override?.[source.name] as object ?? {}) }, s.line, source.name, source.type) as Record<string, unknown>,
    }));
    return { source, provisioners: forSource(provisioners), postProcessors: forSource(postProcessors) };
  });
  if (doc.min_packer_version !== undefined) {
    notes.push({ file, line: lineOf(text, '"min_packer_version"'), item: 'min_packer_version', message: 'no equivalent needed: ignored' });
  }
  return { language: 'json', files: [file, ...inputs.varFiles], root, images, variables, sensitiveValues, notes };
}

function withoutStepKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !STEP_KEYS.has(k)));
}

async function resolveVariables(file: string, text: string, doc: Record<string, any>, inputs: TemplateInputs, root: string) {
  const declared = (doc.variables ?? {}) as Record<string, unknown>;
  const sensitive = new Set((doc['sensitive-variables'] ?? []) as string[]);
  const values: Record<string, unknown> = {};
  const set = new Set<string>();
  // Defaults may read the environment ({{env `X`}}), nothing else.
  for (const [name, raw] of Object.entries(declared)) {
    values[name] = raw === null ? null : renderGoValue(raw, { user: () => '', env: inputs.env, templateDir: root });
    if (raw !== null) set.add(name);
  }
  const layers: Array<Map<string, VariableValue>> = [environmentValues(inputs.env)];
  for (const varFile of inputs.varFiles) layers.push(await readVarFile(varFile, 'json'));
  const flags = parseVarFlags(inputs.vars);
  layers.push(flags);
  for (const layer of layers) {
    for (const [name, given] of layer) {
      if (!(name in declared) && given.origin.startsWith('PKR_VAR_')) continue;
      values[name] = given.value;
      set.add(name);
    }
  }
  const variables: PackerVariable[] = Object.keys(declared).map(name => ({
    name, file, line: lineOf(text, `"${name}"`), sensitive: sensitive.has(name), set: set.has(name),
  }));
  const sensitiveValues = new Map<string, string>();
  for (const name of [...sensitive, ...Object.keys(declared).filter(n => CREDENTIAL_VARIABLE.test(n))]) {
    if (typeof values[name] === 'string' && values[name] !== '') sensitiveValues.set(name, values[name] as string);
  }
  return { values, variables, sensitiveValues };
}

/** Finds the lines of successive objects in the JSON text (JSON.parse gives no positions). */
class LineCursor {
  private at = 0;
  constructor(private readonly text: string) {}

  public seek(needle: string): void {
    const found = this.text.indexOf(needle);
    this.at = found < 0 ? 0 : found;
  }

  public next(needle: string): number {
    const found = this.text.indexOf(needle, this.at);
    if (found < 0) return lineOf(this.text, needle);
    this.at = found + needle.length;
    return this.text.slice(0, found).split('\n').length;
  }

  /** Lines of an object's keys, searched near the object's own line. */
  public keyLines(o: object, near: number): Record<string, number> {
    const start = this.text.split('\n').slice(0, Math.max(0, near - 40)).join('\n').length;
    return Object.fromEntries(Object.keys(o).map(k => [k, lineOf(this.text, `"${k}"`, start)]));
  }
}
