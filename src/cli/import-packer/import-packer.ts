/**
 * `import-packer`: reads a Packer template (file or folder), maps it and writes the TypeScript
 * file, then prints the report. Nothing is written when the template cannot be read.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generateCode } from './code-writer';
import { readHclTemplate, TemplateInputs } from './hcl-template';
import { countEntries, formatReport, ReportEntry } from './import-report';
import { readJsonTemplate } from './json-template';
import { pascal } from './names';
import { PackerTemplate } from './packer-template';
import { ExitCode, usageError } from '../core/cli-error';
import { writeJson } from '../core/json-output';
import { CliContext } from '../core/program';

export interface ImportPackerOptions {
  readonly template: string;
  readonly varFile: readonly string[];
  readonly var: readonly string[];
  readonly only?: readonly string[];
  readonly out?: string;
  readonly json: boolean;
}

/** The result of an import, without writing anything. */
export interface ImportResult {
  readonly template: PackerTemplate;
  readonly code: string;
  readonly entries: readonly ReportEntry[];
  /** Local files the code reads that do not exist. */
  readonly missingFiles: readonly string[];
  readonly className: string;
}

/** Reads and maps a template (file or folder). */
export async function importTemplate(templatePath: string, inputs: TemplateInputs, outFile: string, only?: readonly string[]): Promise<ImportResult> {
  const template = await readTemplate(templatePath, inputs);
  const wanted = (name: string, shortName: string) => !only?.length || only.some(o => o === name || o === shortName);
  const selected = { ...template, images: template.images.filter(i => wanted(i.source.name, i.source.shortName)) };
  if (selected.images.length === 0 && only?.length) {
    throw usageError(`--only ${only!.join(',')}: no source of ${templatePath} has that name (sources: ${template.images.map(i => i.source.name).join(', ')})`);
  }
  const base = path.basename(templatePath).replace(/(\.pkr)?\.(hcl|json)$/, '');
  const className = `${pascal(base)}Images`;
  const { code, context } = generateCode(selected, outFile, className);
  return { template: selected, code, entries: context.entries, missingFiles: [...context.files].filter(f => !fs.existsSync(f)), className };
}

async function readTemplate(templatePath: string, inputs: TemplateInputs): Promise<PackerTemplate> {
  if (!fs.existsSync(templatePath)) throw usageError(`${templatePath}: no such file or folder. Give a Packer template (.pkr.hcl, .pkr.json, .json) or a folder of them`);
  if (fs.statSync(templatePath).isDirectory()) {
    // Packer reads both syntaxes from a folder.
    const files = fs.readdirSync(templatePath).filter(f => f.endsWith('.pkr.hcl') || f.endsWith('.pkr.json')).sort().map(f => path.join(templatePath, f));
    if (files.length === 0) {
      const json = fs.readdirSync(templatePath).filter(f => f.endsWith('.json') && !f.includes('pkrvars'));
      throw usageError(`${templatePath}: no .pkr.hcl or .pkr.json file in this folder${json.length ? ` (give the JSON template itself, e.g. ${path.join(templatePath, json[0])})` : ''}`);
    }
    return readHclTemplate(files, path.resolve(templatePath), inputs);
  }
  if (templatePath.endsWith('.pkr.json')) return readHclTemplate([templatePath], path.dirname(path.resolve(templatePath)), inputs);
  if (templatePath.endsWith('.json')) return readJsonTemplate(templatePath, inputs);
  if (templatePath.endsWith('.hcl')) return readHclTemplate([templatePath], path.dirname(path.resolve(templatePath)), inputs);
  throw usageError(`${templatePath}: not a Packer template. Give a .pkr.hcl, .pkr.json or .json file, or a folder of .pkr.hcl/.pkr.json files`);
}

/** The command: import, write the file, report. */
export async function importPacker(options: ImportPackerOptions, context: CliContext): Promise<ExitCode> {
  const templatePath = path.resolve(context.cwd, options.template);
  const base = path.basename(templatePath).replace(/(\.pkr)?\.(hcl|json)$/, '');
  const out = path.resolve(context.cwd, options.out ?? `${base}-images.ts`);
  const result = await importTemplate(templatePath, {
    varFiles: options.varFile.map(f => path.resolve(context.cwd, f)),
    vars: options.var,
    env: context.env,
  }, out, options.only);
  // Written only once everything is mapped: a failure above leaves nothing behind.
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, result.code);
  const relative = (f: string) => path.relative(context.cwd, f) || f;
  const entries = result.entries.map(e => ({ ...e, file: relative(e.file) }));
  if (options.json) {
    writeJson(context.stdout, {
      template: relative(templatePath),
      out: relative(out),
      className: result.className,
      counts: countEntries(entries),
      entries,
      missingFiles: result.missingFiles.map(relative),
    });
  } else {
    context.stdout.write(formatReport(relative(templatePath), relative(out), entries));
    for (const missing of result.missingFiles) context.stdout.write(`Missing: ${relative(missing)} (the code reads it at synth time)\n`);
  }
  return ExitCode.OK;
}
