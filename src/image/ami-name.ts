/**
 * AMI names: Packer's template functions translated to Image Builder's variables, and the
 * characters EC2 refuses replaced, as Packer's `clean_resource_name` does.
 */

/** Image Builder's per-build variables that make every AMI name unique. */
export const BUILD_DATE = '{{ imagebuilder:buildDate }}';
export const BUILD_VERSION = '{{ imagebuilder:buildVersion }}';

/** Image Builder's AmiDistributionConfiguration name: 1 to 127 characters, `^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}\.]+[-_A-Za-z0-9}]$`. */
export const AMI_NAME_MAX = 127;

const PACKER_FUNCTIONS: Array<[RegExp, string]> = [
  [/\{\{\s*timestamp\s*\}\}/g, BUILD_DATE],
  [/\{\{\s*isotime(?:\s+(?:"[^"]*"|`[^`]*`))?\s*\}\}/g, BUILD_DATE],
  [/\$\{\s*(?:local\.)?timestamp(?:\(\))?\s*\}/g, BUILD_DATE],
  [/\{\{\s*uuid\s*\}\}/g, BUILD_VERSION],
  [/\$\{\s*uuidv4\(\)\s*\}/g, BUILD_VERSION],
];

/** Outcome of translating an AMI name. */
export interface AmiNameTranslation {
  /** The name to give Image Builder. */
  readonly name: string;
  /** Characters that were replaced, for a warning. */
  readonly replaced: string[];
  /** Template expressions left that Image Builder would not understand. */
  readonly unknownExpressions: string[];
}

/**
 * Translates Packer's `{{timestamp}}`, `{{isotime}}` and `{{uuid}}` (and the HCL spellings) to
 * Image Builder's build variables and replaces characters AMI names may not hold with '-'.
 */
export function translateAmiName(template: string): AmiNameTranslation {
  let name = template;
  for (const [pattern, replacement] of PACKER_FUNCTIONS) {
    name = name.replace(pattern, replacement);
  }
  const variables: string[] = [];
  // Keep Image Builder's own variables out of the character clean-up.
  name = name.replace(/\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}/g, (_m, v: string) => {
    variables.push(`{{ imagebuilder:${v} }}`);
    return `\u0000${variables.length - 1}\u0000`;
  });
  const unknownExpressions = [...name.matchAll(/\{\{[^}]*\}\}|\$\{[^}]*\}/g)].map(m => m[0]);
  const replaced: string[] = [];
  // Image Builder's distribution allows fewer characters than EC2 does.
  name = name.replace(/[^A-Za-z0-9._\- \u0000]/g, ch => {
    replaced.push(ch);
    return '-';
  });
  // ...and wants a letter, digit, '-', '_' or a variable at both ends.
  name = name.replace(/^[. ]+|[. ]+$/g, m => {
    replaced.push(m.trim() || 'space');
    return '';
  });
  name = name.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => variables[Number(i)]);
  return { name, replaced: [...new Set(replaced)], unknownExpressions };
}

/**
 * True where the name makes each build's AMI name unique: it holds the build date. The build
 * version alone does not: it is "a number that is located at the end of an Image Builder ARN"
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/tag-resources.html), counted per
 * recipe version, and the library gives the recipe a new version whenever its content changes,
 * so two bakes often share build version 1.
 */
export function hasBuildVariable(name: string): boolean {
  return name.includes(BUILD_DATE);
}
