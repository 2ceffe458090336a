import { ToePlatform } from '../../../src/provisioning/toe/component-document';
import { DocumentFinding } from '../../../src/provisioning/toe/findings';
import { parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';
import { validateComponentDocument } from '../../../src/provisioning/toe/validate';

/** A YAML literal written indented in a test, with the common indentation removed. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((text, part, i) => text + part + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indents = lines.filter(line => line.trim() !== '').map(line => /^ */.exec(line)![0].length);
  const common = Math.min(...indents);
  return lines.map(line => line.slice(common)).join('\n');
}

/** Parses and validates a document written as YAML. */
export function findingsOf(text: string, platform?: ToePlatform): DocumentFinding[] {
  return validateComponentDocument(parseComponentDocumentYaml(text, 'test.yaml'), { platform });
}

/** The `path: message` of each finding, for readable assertions. */
export function messagesOf(text: string, platform?: ToePlatform): string[] {
  return findingsOf(text, platform).map(finding => finding.message);
}

/** A document with the given YAML as the steps of its build phase (indented as list items). */
export function buildSteps(steps: string): string {
  const indented = steps.split('\n').map(line => (line === '' ? '' : `      ${line}`)).join('\n');
  return `schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n${indented}\n`;
}
