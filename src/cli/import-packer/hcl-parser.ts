/**
 * HashiCorp's HCL parser, compiled to WebAssembly and published as @cdktn/hcl2json. Loaded only
 * when import-packer reads an HCL2 file: the library and the other commands never load it.
 */
import type * as Hcl2Json from '@cdktn/hcl2json';
import { templateError } from './template-error';

let loaded: typeof Hcl2Json | undefined;

/** The parser module (a bundled dependency of the package, outside the CLI bundle with its wasm). */
export function hclParser(): typeof Hcl2Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('@cdktn/hcl2json') as typeof Hcl2Json;
  return loaded;
}

/** Parses an HCL file to hcl2json's JSON; a syntax error becomes `file:line:column: message`. */
export async function parseHclFile(file: string, text: string): Promise<Record<string, any>> {
  try {
    return await hclParser().parse(file, text);
  } catch (e) {
    throw parserError(file, e);
  }
}

/** hcl2json reports `parse config: [file:2,6-3,1: Summary; Detail.]`. */
export function parserError(file: string, e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  const m = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(text);
  if (!m) return templateError(file, undefined, undefined, text);
  return templateError(file, Number(m[1]), Number(m[2]), m[3].trim().replace(/\.$/, ''));
}
