import { ToeActionSpec, ToeInputSpec } from './actions';
import { ToePlatform } from './component-document';
import { childPath, describe, didYouMean, FindingList, isMap, isScalar, listWords, unquotedExpression } from './findings';
import { isUnresolved } from './tokens';

/**
 * Checks a step's `inputs` against its action: a map or a list of maps, the required keys,
 * keys the action does not document, value kinds and enumerations, and inputs that the
 * component's platform does not support.
 *
 * Unquoted `{{ ... }}` values are left to the expression check, which tells how to quote them.
 */
export function validateInputs(
  findings: FindingList,
  spec: ToeActionSpec,
  inputs: unknown,
  stepPath: string,
  platform: ToePlatform | undefined,
): void {
  const path = childPath(stepPath, 'inputs');
  if (inputs === undefined || inputs === null) {
    if (spec.inputsRequired) {
      findings.error(inputs === null ? path : stepPath,
        `${inputs === null ? 'is empty' : 'has no inputs'}: the ${spec.name} action needs inputs, for example inputs: ${exampleInputs(spec)}`);
    }
    return;
  }
  if (unquotedExpression(inputs)) {
    return;
  }
  if (spec.inputShape === 'map') {
    if (Array.isArray(inputs)) {
      findings.error(path, `is a list, but ${spec.name} takes a single map of inputs: remove the '- ' in front of the first key, `
        + `for example inputs: ${exampleInputs(spec)}`);
    } else if (!isMap(inputs)) {
      findings.error(path, `must be a map, for example inputs: ${exampleInputs(spec)}, not ${describe(inputs)}`);
    } else {
      validateInputMap(findings, spec, inputs, path, platform);
    }
    return;
  }
  if (isMap(inputs)) {
    findings.error(path, `is a map, but ${spec.name} takes a list of maps (one per ${itemNoun(spec)}): `
      + `put '- ' in front of the first key, for example inputs: ${exampleInputs(spec)}`);
    return;
  }
  if (!Array.isArray(inputs)) {
    findings.error(path, `must be a list of maps, for example inputs: ${exampleInputs(spec)}, not ${describe(inputs)}`);
    return;
  }
  if (inputs.length === 0) {
    findings.error(path, `is an empty list: ${spec.name} needs at least one entry, for example inputs: ${exampleInputs(spec)}`);
    return;
  }
  inputs.forEach((item, index) => {
    const itemPath = childPath(path, index);
    if (unquotedExpression(item)) {
      return;
    }
    if (!isMap(item)) {
      findings.error(itemPath, `must be a map of ${spec.name} inputs, for example ${exampleItem(spec)}, not ${describe(item)}`);
      return;
    }
    validateInputMap(findings, spec, item, itemPath, platform);
  });
}

function validateInputMap(
  findings: FindingList,
  spec: ToeActionSpec,
  inputs: Record<string, unknown>,
  path: string,
  platform: ToePlatform | undefined,
): void {
  const known = Object.keys(spec.inputs);
  if (spec.openInputs) {
    if (Object.keys(inputs).length === 0) {
      findings.error(path, `is empty: ${spec.name} needs an expression with a comparison or logical operator, for example { stringEquals: 'expected', value: '{{ build.Step.outputs.stdout }}' }`);
    }
    return;
  }
  const required = known.filter(key => spec.inputs[key].required);
  for (const key of required) {
    if (!(key in inputs)) {
      findings.error(path, `is missing '${key}': ${spec.name} needs ${listWords(required.map(k => `'${k}'`))}`);
    }
  }
  if (spec.exactlyOneOf) {
    const given = spec.exactlyOneOf.filter(key => key in inputs);
    const choices = spec.exactlyOneOf.map(k => `'${k}'`).join(' or ');
    if (given.length === 0) {
      findings.error(path, `needs ${choices}: give exactly one of them`);
    } else if (given.length > 1) {
      findings.error(path, `has both ${listWords(given.map(k => `'${k}'`))}: ${spec.name} takes only one of ${choices}`);
    }
  }
  for (const [key, value] of Object.entries(inputs)) {
    const keyPath = childPath(path, key);
    const input = Object.prototype.hasOwnProperty.call(spec.inputs, key) ? spec.inputs[key] : undefined;
    if (!input) {
      findings.warning(keyPath, `is not an input of ${spec.name}${didYouMean(key, known)}: AWSTOE documents only `
        + `${listWords(known.map(k => `'${k}'`))} for it, so remove '${key}' or move it to the action that takes it`);
      continue;
    }
    if (input.platforms && platform && !input.platforms.includes(platform)) {
      findings.error(keyPath, `is not supported on ${platform}: ${spec.name} rejects '${key}' there, so remove it `
        + '(on Windows, set ownership and access rights with ExecutePowerShell, for example icacls)');
    }
    checkValue(findings, spec, key, input, value, keyPath);
  }
}

function checkValue(findings: FindingList, spec: ToeActionSpec, key: string, input: ToeInputSpec, value: unknown, path: string): void {
  if (unquotedExpression(value)) {
    return;
  }
  switch (input.kind) {
    case 'string':
      if (!isScalar(value)) {
        findings.error(path, `must be a string, not ${describe(value)}`);
      } else {
        checkEnumeration(findings, input, value, path);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && !(typeof value === 'string' && (/^(true|false)$/i.test(value) || value.includes('{{') || isUnresolved(value)))) {
        findings.error(path, `must be true or false, not ${describe(value)}`);
      }
      return;
    case 'integer':
      if (!Number.isInteger(value) && !(typeof value === 'string' && value.includes('{{'))) {
        findings.error(path, `must be a whole number, not ${describe(value)}`);
      }
      return;
    case 'stringList':
      checkList(findings, spec, key, value, path, 'a list of strings');
      return;
    case 'scalarOrList':
      if (!isScalar(value)) {
        checkList(findings, spec, key, value, path, 'a string, a number or a list of them');
      }
      return;
    case 'stringMap':
      if (!isMap(value)) {
        findings.error(path, `must be a map of names to string values, for example ${key}: { NAME: 'value' }, not ${describe(value)}`);
        return;
      }
      for (const [name, entry] of Object.entries(value)) {
        if (!isScalar(entry) && !unquotedExpression(entry)) {
          findings.error(childPath(path, name), `must be a string, not ${describe(entry)}`);
        }
      }
      return;
    case 'nameValueList':
      checkNameValueList(findings, value, path);
      return;
  }
}

function checkList(findings: FindingList, spec: ToeActionSpec, key: string, value: unknown, path: string, expected: string): void {
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? `: put it in a list, for example ${key}: ['...']` : '';
    findings.error(path, `must be ${expected} for ${spec.name}, not ${describe(value)}${hint}`);
    return;
  }
  value.forEach((item, index) => {
    if (!isScalar(item) && !unquotedExpression(item)) {
      findings.error(childPath(path, index), `must be a string, not ${describe(item)}`);
    }
  });
}

function checkNameValueList(findings: FindingList, value: unknown, path: string): void {
  if (!Array.isArray(value)) {
    findings.error(path, `must be a list of { name, value } maps, not ${describe(value)}`);
    return;
  }
  value.forEach((item, index) => {
    const itemPath = childPath(path, index);
    if (!isMap(item)) {
      findings.error(itemPath, `must be a { name, value } map, not ${describe(item)}`);
      return;
    }
    for (const required of ['name', 'value']) {
      if (!(required in item)) {
        findings.error(itemPath, `is missing '${required}': each parameter passed to the document needs a name and a value`);
      } else if (!isScalar(item[required]) && !unquotedExpression(item[required])) {
        findings.error(childPath(itemPath, required), `must be a string, not ${describe(item[required])}`);
      }
    }
    for (const extra of Object.keys(item).filter(k => k !== 'name' && k !== 'value')) {
      findings.error(childPath(itemPath, extra), 'is not allowed: a parameter passed to the document has only name and value');
    }
  });
}

function checkEnumeration(findings: FindingList, input: ToeInputSpec, value: string | number | boolean, path: string): void {
  // Expressions resolve at run time and tokens at deploy time: their values cannot be checked here.
  if (!input.values || (typeof value === 'string' && value.includes('{{')) || isUnresolved(value)) {
    return;
  }
  const text = String(value);
  const matches = input.caseInsensitive
    ? input.values.some(v => v.toLowerCase() === text.toLowerCase())
    : input.values.includes(text);
  if (!matches) {
    findings.error(path, `${describe(text)} is not accepted: use one of ${listWords(input.values.map(v => `'${v}'`))}${input.caseInsensitive ? ' (any case)' : ''}`);
  }
}

function itemNoun(spec: ToeActionSpec): string {
  return spec.name === 'SetRegistry' ? 'registry value' : 'file or folder';
}

function exampleItem(spec: ToeActionSpec): string {
  const required = Object.keys(spec.inputs).filter(key => spec.inputs[key].required);
  return `{ ${required.map(key => `${key}: ...`).join(', ')} }`;
}

function exampleInputs(spec: ToeActionSpec): string {
  if (spec.openInputs) {
    return '{ stringEquals: \'expected\', value: \'{{ build.Step.outputs.stdout }}\' }';
  }
  const keys = Object.keys(spec.inputs);
  const shown = spec.exactlyOneOf ? [spec.exactlyOneOf[0]] : keys.filter(key => spec.inputs[key].required);
  const names = shown.length > 0 ? shown : keys.slice(0, 1);
  const body = `{ ${names.map(key => `${key}: ${spec.inputs[key].kind === 'stringList' ? '[...]' : '...'}`).join(', ')} }`;
  return spec.inputShape === 'list' ? `[${body}]` : body;
}
