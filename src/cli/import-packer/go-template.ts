/**
 * The template engine of legacy JSON templates: `{{user `x`}}`, `{{env `X`}}`, `{{timestamp}}`,
 * `{{isotime "..."}}`, `{{uuid}}`, `{{template_dir}}`, `{{build_name}}`, pipes into
 * `clean_resource_name`. Builder data Packer fills in while building (`{{ .SourceAMI }}`,
 * `{{ .Vars }}`, `{{build `ID`}}`) is kept as written for the mapping to report.
 */
import { BUILD_DATE_SENTINEL, BUILD_VERSION_SENTINEL } from './build-time-values';
import { EvaluationError } from './hcl-evaluator';

/** What a JSON template's functions read. */
export interface GoTemplateContext {
  readonly user: (name: string) => unknown;
  readonly env: NodeJS.ProcessEnv;
  readonly templateDir: string;
  readonly buildName?: string;
  readonly buildType?: string;
}

const TOKEN = /`([^`]*)`|"((?:[^"\\]|\\.)*)"|(\S+)/g;

/** Renders every `{{ }}` in `text`; a value that is one whole `{{user}}` keeps its type. */
export function renderGoTemplate(text: string, context: GoTemplateContext): unknown {
  const whole = /^\{\{\s*user\s+`([^`]*)`\s*\}\}$/.exec(text);
  if (whole) return context.user(whole[1]);
  return text.replace(/\{\{(-?)([\s\S]*?)(-?)\}\}/g, (original, _l: string, body: string) => {
    const result = pipeline(body, context);
    return result === undefined ? original : result;
  });
}

/** Renders every string inside a JSON value. */
export function renderGoValue(value: unknown, context: GoTemplateContext): unknown {
  if (typeof value === 'string') return renderGoTemplate(value, context);
  if (Array.isArray(value)) return value.map(v => renderGoValue(v, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderGoValue(v, context)]));
  }
  return value;
}

/** One `{{ a | b }}`; undefined keeps the text as written (builder data). */
function pipeline(body: string, context: GoTemplateContext): string | undefined {
  let value: string | undefined;
  for (const [k, command] of body.split('|').map(c => c.trim()).entries()) {
    const words = [...command.matchAll(TOKEN)].map(m => m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
    if (k > 0 && value !== undefined) words.push(value);
    if (words.length === 0) return undefined;
    const result = call(words[0], words.slice(1), context);
    if (result === undefined) return undefined;
    value = result;
  }
  return value;
}

function call(name: string, args: string[], context: GoTemplateContext): string | undefined {
  switch (name) {
    case 'user': {
      const v = context.user(args[0]);
      return v === null || v === undefined ? '' : String(v);
    }
    case 'env':
      return context.env[args[0]] ?? '';
    case 'timestamp':
    case 'isotime':
      return BUILD_DATE_SENTINEL;
    case 'uuid':
      return BUILD_VERSION_SENTINEL;
    case 'template_dir':
      return context.templateDir;
    case 'pwd':
      return process.cwd();
    case 'build_name':
      return context.buildName;
    case 'build_type':
      return context.buildType;
    case 'clean_resource_name':
    case 'clean_ami_name':
      return args[args.length - 1].replace(/[^A-Za-z0-9()\[\] ./\-'@_]/g, '-');
    case 'lower':
      return args[args.length - 1].toLowerCase();
    case 'upper':
      return args[args.length - 1].toUpperCase();
    case 'split': {
      const [s, sep, index] = args;
      return s.split(sep)[Number(index)] ?? '';
    }
    case 'replace':
    case 'replace_all': {
      const [from, to, s] = name === 'replace' ? [args[0], args[1], args[3]] : args;
      return (s ?? '').split(from).join(to);
    }
    default:
      // Builder data (.SourceAMI, .Vars, .Path), build `ID`, and functions kept for Packer itself.
      if (name.startsWith('.') || name === 'build' || name === 'packer_version') return undefined;
      throw new EvaluationError(`the template function ${name} is not one the importer evaluates`);
  }
}
