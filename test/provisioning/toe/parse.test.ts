import { ComponentDocumentError, parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';

/** The error a text raises, or a failure when it parses. */
function parseError(text: string, source?: string): ComponentDocumentError {
  try {
    parseComponentDocumentYaml(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(ComponentDocumentError);
    return e as ComponentDocumentError;
  }
  throw new Error('expected a ComponentDocumentError');
}

describe('parseComponentDocumentYaml', () => {
  test('reads YAML', () => {
    expect(parseComponentDocumentYaml('schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n')).toEqual({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [] }],
    });
  });

  test('reads JSON', () => {
    expect(parseComponentDocumentYaml('{"schemaVersion": "1.0", "phases": [{"name": "build", "steps": [{"name": "R", "action": "Reboot", "timeoutSeconds": 60}]}]}'))
      .toEqual({ schemaVersion: '1.0', phases: [{ name: 'build', steps: [{ name: 'R', action: 'Reboot', timeoutSeconds: 60 }] }] });
  });

  test('keeps numbers as written when their text is not their canonical form', () => {
    expect(parseComponentDocumentYaml('a: 0700\nb: 1.10\nc: 1.0\nd: 0x1F\ne: +5\nf: 1e3\n')).toEqual({
      a: '0700', b: '1.10', c: '1.0', d: '0x1F', e: '+5', f: '1e3',
    });
    expect(parseComponentDocumentYaml('a: 60\nb: -1\nc: 1.5\nd: 0\ne: .inf\n')).toEqual({ a: 60, b: -1, c: 1.5, d: 0, e: Infinity });
  });

  test('reads YAML 1.2: yes and on stay strings, true and null do not', () => {
    expect(parseComponentDocumentYaml('a: yes\nb: on\nc: true\nd: ~\ne:\n')).toEqual({ a: 'yes', b: 'on', c: true, d: null, e: null });
  });

  test('an unquoted expression is read as a mapping, quietly, for the validator to report', () => {
    const warn = jest.spyOn(process, 'emitWarning');
    expect(parseComponentDocumentYaml('commands: [{{ x }}]')).toEqual({ commands: [{ '{ x }': null }] });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  test('a syntax error names the source, line and column and quotes the line', () => {
    const error = parseError('a: 1\nb: "x"y\n', 'my-component.yaml');
    expect(error.line).toBe(2);
    expect(error.column).toBe(7);
    expect(error.message).toBe([
      'my-component.yaml is not valid YAML at line 2, column 7: Unexpected scalar at node end',
      '  2 | b: "x"y',
      '            ^',
    ].join('\n'));
  });

  test('without a source, the message says component document', () => {
    expect(parseError('a: [1\n').message).toMatch(/^component document is not valid YAML at line 2, column 1: /);
  });

  test('an expression followed by more text explains the quoting', () => {
    const error = parseError('commands:\n  - {{ x }} --force\n');
    expect(error.line).toBe(2);
    expect(error.message).toContain("A value that starts with {{ ... }} must be quoted, for example '{{ MyParameter }}'");
  });

  test.each([
    ['duplicate keys', 'a: 1\na: 2\n', 2, /Map keys must be unique/],
    ['tabs as indentation', 'a:\n\t- b\n', 2, /Tabs are not allowed as indentation/],
    ['tags AWSTOE cannot read', 'a: !Ref x\n', 1, /Unresolved tag: !Ref/],
    ['several documents', 'a: 1\n---\nb: 2\n', 2, /multiple documents/],
    ['an alias without its anchor', 'a: 1\nb: *missing\n', 2, /Unresolved alias.*: missing/],
  ])('rejects %s', (_, text, line, reason) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(reason);
  });

  test('aliases to anchors are resolved', () => {
    expect(parseComponentDocumentYaml('a: &cmd [ls]\nb: *cmd\n')).toEqual({ a: ['ls'], b: ['ls'] });
  });

  test('the error is an Error with its own name', () => {
    const error = parseError('a: [');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ComponentDocumentError');
  });
});
