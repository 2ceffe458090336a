import { parseDocument } from 'yaml';
import type { Tags } from 'yaml';

/**
 * Reads CloudFormation templates written in YAML, whose short-form intrinsic functions
 * (`!Sub`, `!Ref`, ...) are YAML tags, into their long form (`{ 'Fn::Sub': ... }`), so that the
 * component documents embedded in `AWS::ImageBuilder::Component` resources can be checked.
 */

const FUNCTIONS = [
  'And', 'Base64', 'Cidr', 'Condition', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue',
  'Join', 'Not', 'Or', 'Ref', 'Select', 'Split', 'Sub', 'Transform',
];

function intrinsicTags(): Tags {
  const tags: Tags = [];
  for (const fn of FUNCTIONS) {
    const key = fn === 'Ref' || fn === 'Condition' ? fn : `Fn::${fn}`;
    tags.push({ tag: `!${fn}`, resolve: (text: string) => ({ [key]: fn === 'GetAtt' ? text.split('.') : text }) });
    tags.push({ tag: `!${fn}`, collection: 'seq', resolve: seq => ({ [key]: seq.toJSON() }) });
    tags.push({ tag: `!${fn}`, collection: 'map', resolve: map => ({ [key]: map.toJSON() }) });
  }
  return tags;
}

export function parseCloudFormationTemplate(text: string, source: string): Record<string, unknown> {
  const document = parseDocument(text, { customTags: intrinsicTags(), logLevel: 'error' });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    throw new Error(`${source}: ${problem.message}`);
  }
  return document.toJS() as Record<string, unknown>;
}

/** One component document embedded in a template. */
export interface EmbeddedComponent {
  readonly logicalId: string;
  readonly platform: string;
  /** The document text: `Data` itself, or the template string of an `Fn::Sub`. */
  readonly data: string;
}

/** The inline documents of the template's `AWS::ImageBuilder::Component` resources. */
export function embeddedComponents(template: Record<string, unknown>): EmbeddedComponent[] {
  const resources = (template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::ImageBuilder::Component' && resource.Properties?.Data !== undefined)
    .map(([logicalId, resource]) => ({
      logicalId,
      platform: String(resource.Properties!.Platform),
      data: documentText(resource.Properties!.Data, logicalId),
    }));
}

function documentText(data: unknown, logicalId: string): string {
  if (typeof data === 'string') {
    return data;
  }
  const sub = (data as Record<string, unknown> | null)?.['Fn::Sub'];
  // `!Sub [template, { variables }]` carries its template first.
  const template = Array.isArray(sub) ? sub[0] : sub;
  if (typeof template !== 'string') {
    throw new Error(`${logicalId}: Data is neither a string nor an Fn::Sub of one`);
  }
  return template;
}
