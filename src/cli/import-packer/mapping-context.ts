/**
 * What every mapping shares while it writes one image's code: the report, the imports the code
 * needs, TypeScript literals that never carry a secret, and paths relative to the template.
 */
import * as path from 'path';
import { ReportEntry } from './import-report';
import { PackerBlock, PackerTemplate } from './packer-template';

/** Access keys (AKIA/ASIA) and the like that must never be written into generated code. */
const AWS_KEY = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** Settings that hold AWS credentials (builder, data source, variable names). */
export const CREDENTIAL_KEYS = new Set(['access_key', 'secret_key', 'token', 'aws_access_key', 'aws_secret_key', 'aws_session_token', 'mfa_code']);

/** Variable names that hold credentials: their values are treated as sensitive. */
export const CREDENTIAL_VARIABLE = /^(aws_)?(access_key|secret_key|session_token|token|password)$/;

export class MappingContext {
  public readonly entries: ReportEntry[] = [];
  /** Named imports by module. */
  public readonly imports = new Map<string, Set<string>>();
  /** Local files the code reads (relative to the template), to check they exist. */
  public readonly files = new Set<string>();
  /** Comments to write in front of an image's code. */
  public comments: string[] = [];
  public image = '';
  /** Whether the current image is Windows (decides which provisioners can run). */
  public windows = false;

  constructor(public readonly template: PackerTemplate) {}

  public use(module: string, name: string): string {
    if (!this.imports.has(module)) this.imports.set(module, new Set());
    this.imports.get(module)!.add(name);
    return name;
  }

  /** Reports a setting and, unless mapped, leaves a comment in the code. */
  public report(kind: ReportEntry['kind'], block: PackerBlock, item: string, status: ReportEntry['status'], message: string, line?: number): void {
    const at = line ?? block.lines[item] ?? block.line;
    this.entries.push({ image: this.image, kind, item, status, message, file: block.file, line: at });
    if (status !== 'mapped') {
      this.comments.push(`${status === 'unsupported' ? 'NOT MAPPED' : 'APPROXIMATE'}: ${kind} ${item} (${path.basename(block.file)}:${at}): ${message}`);
    }
  }

  /** A TypeScript string literal with sensitive values and access keys removed. */
  public string(value: string): string {
    return JSON.stringify(this.scrub(value)).replace(/\u2028|\u2029/g, c => `\\u${c.charCodeAt(0).toString(16)}`);
  }

  public scrub(value: string): string {
    let out = value.replace(AWS_KEY, '<REMOVED-ACCESS-KEY>');
    for (const [name, secret] of this.template.sensitiveValues) {
      if (secret.length >= 4) out = out.split(secret).join(`<sensitive variable ${name}>`);
    }
    return out;
  }

  public containsSecret(value: string): boolean {
    return this.scrub(value) !== value;
  }

  /** A code expression for a path in the template's folder. */
  public templatePath(file: string): string {
    const absolute = path.resolve(this.template.root, file);
    const relative = path.relative(this.template.root, absolute).split(path.sep).join('/');
    this.files.add(absolute);
    this.use('path', '*');
    return `path.join(TEMPLATE_DIR, ${JSON.stringify(relative + (/[\\/]$/.test(file) ? '/' : ''))})`;
  }
}

/** A string list from a Packer value (a list, or one string). */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(v => String(v));
}

/** A list setting JSON templates may also give as one comma-separated string (`ami_regions`). */
export function commaList(value: unknown): string[] {
  return stringList(value).flatMap(v => v.split(',')).map(v => v.trim()).filter(v => v !== '');
}

/** Whether a Packer setting is given (null, '' and [] are Packer's "unset"). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Packer durations: `30s`, `5m`, `1h30m`. */
export function durationCode(value: unknown, ctx: MappingContext): string | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(value));
  if (!m || !(m[1] || m[2] || m[3])) return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return `${ctx.use('aws-cdk-lib', 'Duration')}.seconds(${seconds})`;
}
