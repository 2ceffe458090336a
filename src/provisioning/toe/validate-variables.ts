import { checkKeys, childPath, describe, FindingList, isMap, isScalar, reportNotAString } from './findings';

/**
 * Checks the `parameters` and `constants` of a document: lists of single-key maps from a name
 * to a definition. Parameters can be set by the image recipe; constants cannot.
 */

export type VariableKind = 'parameter' | 'constant';

/** Parameter and constant names: 3 to 128 letters, digits, `-` or `_` (AWSTOE user guide). */
const VARIABLE_NAME = /^[A-Za-z0-9_-]{3,128}$/;

const DEFINITION_KEYS: Record<VariableKind, readonly string[]> = {
  parameter: ['type', 'default', 'description'],
  constant: ['type', 'value'],
};

const EXAMPLE: Record<VariableKind, string> = {
  parameter: '- MyParameter: { type: string, default: value }',
  constant: '- MyConstant: { type: string, value: value }',
};

/** Checks both lists and returns every declared name (the first declaration wins). */
export function checkVariables(findings: FindingList, doc: Record<string, unknown>): Map<string, VariableKind> {
  const declared = new Map<string, VariableKind>();
  checkList(findings, doc.parameters, 'parameters', 'parameter', declared);
  checkList(findings, doc.constants, 'constants', 'constant', declared);
  return declared;
}

function checkList(findings: FindingList, list: unknown, path: string, kind: VariableKind, declared: Map<string, VariableKind>): void {
  if (list === undefined) {
    return;
  }
  if (!Array.isArray(list)) {
    findings.error(path, `must be a list of single-key maps, like ${EXAMPLE[kind]}, not ${describe(list)}`);
    return;
  }
  list.forEach((entry, i) => {
    const entryPath = childPath(path, i);
    if (!isMap(entry) || Object.keys(entry).length !== 1) {
      findings.error(entryPath, `must be a map with exactly one key, the ${kind}'s name, like ${EXAMPLE[kind]}`);
      return;
    }
    const [name] = Object.keys(entry);
    const definitionPath = childPath(entryPath, name);
    if (!VARIABLE_NAME.test(name)) {
      findings.error(definitionPath, `'${name}' is not a valid ${kind} name: use 3 to 128 letters, digits, '-' or '_'`);
    }
    const previous = declared.get(name);
    if (previous) {
      findings.error(definitionPath, `'${name}' is already declared as a ${previous}: parameter and constant names must be unique in a document`);
    } else {
      declared.set(name, kind);
    }
    checkDefinition(findings, entry[name], definitionPath, kind, name);
  });
}

function checkDefinition(findings: FindingList, definition: unknown, path: string, kind: VariableKind, name: string): void {
  if (!isMap(definition)) {
    findings.error(path, `must be a map with type${kind === 'constant' ? ' and value' : ' (and optionally default and description)'}, not ${describe(definition)}`);
    return;
  }
  checkKeys(findings, definition, path, DEFINITION_KEYS[kind], `a ${kind} definition`);
  if (definition.type === undefined) {
    findings.error(path, `has no type: add type: string (the only type AWSTOE ${kind}s have)`);
  } else if (definition.type !== 'string') {
    findings.error(childPath(path, 'type'), `must be string (the only type AWSTOE ${kind}s have), not ${describe(definition.type)}`);
  }
  const valueKey = kind === 'parameter' ? 'default' : 'value';
  const value = definition[valueKey];
  if (kind === 'constant' && value === undefined) {
    findings.error(path, `has no value: constant '${name}' needs value: ...`);
  } else if (value === null) {
    findings.error(childPath(path, valueKey), kind === 'parameter'
      ? 'is empty: give a default value, or remove default to make the parameter required'
      : 'is empty: give the constant a value');
  } else if (value !== undefined && !isScalar(value)) {
    reportNotAString(findings, childPath(path, valueKey), value);
  }
  if (definition.description !== undefined && typeof definition.description !== 'string') {
    reportNotAString(findings, childPath(path, 'description'), definition.description);
  }
}
