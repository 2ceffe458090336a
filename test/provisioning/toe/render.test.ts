import * as fc from 'fast-check';
import { parse as parseYaml11 } from 'yaml';
import { yaml } from './helpers';
import { ToeDocument } from '../../../src/provisioning/toe/component-document';
import { parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';
import { renderComponentDocument } from '../../../src/provisioning/toe/render';
import { validateComponentDocument } from '../../../src/provisioning/toe/validate';

/** A one-step document whose ExecuteBash commands are the given strings. */
function withCommands(commands: string[]): ToeDocument {
  return { schemaVersion: '1.0', phases: [{ name: 'build', steps: [{ name: 'Run', action: 'ExecuteBash', inputs: { commands } }] }] };
}

/** How one command renders, as the line(s) after the list dash. */
function renderedCommand(command: string): string {
  const text = renderComponentDocument(withCommands([command]));
  return text.slice(text.indexOf('commands:\n') + 'commands:\n'.length);
}

describe('renderComponentDocument', () => {
  const document: ToeDocument = {
    // Keys deliberately out of order: the renderer puts known keys in the documented order.
    phases: [{
      steps: [
        {
          inputs: [{ source: 's3://bucket/app.zip', destination: '/tmp/app.zip' }],
          onFailure: 'Abort',
          action: 'S3Download',
          name: 'Download',
          maxAttempts: 3,
          timeoutSeconds: 60,
        },
        {
          name: 'Install',
          action: 'ExecuteBash',
          loop: { forEach: { delimiter: ',', list: '{{ Hosts }}' }, name: 'hosts' },
          inputs: { commands: ['set -e', 'unzip {{ build.Download.inputs[0].destination }}\nsystemctl restart app\n'] },
        },
      ],
      name: 'build',
    }],
    constants: [{ Port: { value: '8080', type: 'string' } }],
    parameters: [{ Hosts: { description: 'Hosts to reach.', default: 'a,b', type: 'string' } }],
    schemaVersion: '1.0',
    description: 'Installs the app.',
    name: 'App',
  };

  test('writes known keys in the documented order, lists indented under their key', () => {
    expect(renderComponentDocument(document)).toBe(yaml`
      name: App
      description: Installs the app.
      schemaVersion: '1.0'
      parameters:
        - Hosts:
            type: string
            default: a,b
            description: Hosts to reach.
      constants:
        - Port:
            type: string
            value: '8080'
      phases:
        - name: build
          steps:
            - name: Download
              action: S3Download
              timeoutSeconds: 60
              onFailure: Abort
              maxAttempts: 3
              inputs:
                - source: s3://bucket/app.zip
                  destination: /tmp/app.zip
            - name: Install
              action: ExecuteBash
              loop:
                name: hosts
                forEach:
                  list: '{{ Hosts }}'
                  delimiter: ','
              inputs:
                commands:
                  - set -e
                  - |
                    unzip {{ build.Download.inputs[0].destination }}
                    systemctl restart app
    `);
  });

  test('the output is a valid document that reads back as the input', () => {
    const text = renderComponentDocument(document);
    const back = parseComponentDocumentYaml(text);
    expect(back).toEqual(document);
    expect(validateComponentDocument(back)).toEqual([]);
  });

  test('the same document renders to the same bytes, whatever order its keys were given in', () => {
    // Reverse every map above the inputs; the order of input keys is the author's and is kept.
    const reverse = (value: unknown): unknown => {
      if (Array.isArray(value)) {
        return value.map(reverse);
      }
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, k === 'inputs' ? v : reverse(v)]));
      }
      return value;
    };
    const reordered = reverse(document) as ToeDocument;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(document));
    expect(renderComponentDocument(reordered)).toBe(renderComponentDocument(document));
    expect(renderComponentDocument(document)).toBe(renderComponentDocument(document));
  });

  test('keys the schema does not order keep the order they were given in', () => {
    const text = renderComponentDocument({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'Get', action: 'WebDownload', inputs: [{ source: 'https://x/y', destination: '/tmp/y', checksum: 'abc', algorithm: 'MD5' }] }] }],
    });
    expect(text).toContain('- source: https://x/y\n            destination: /tmp/y\n            checksum: abc\n            algorithm: MD5\n');
  });

  test('a schema version given as a number is written as 1.0', () => {
    const text = renderComponentDocument({ schemaVersion: 1, phases: [{ name: 'build', steps: [{ name: 'R', action: 'Reboot' }] }] });
    expect(text).toBe('schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: R\n        action: Reboot\n');
  });

  test('undefined fields are left out, empty collections are written inline', () => {
    const text = renderComponentDocument({
      name: undefined,
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'R', action: 'UpdateOS', timeoutSeconds: undefined, inputs: { include: [], exclude: undefined, extra: {} } }] }],
    });
    expect(text).toBe("schemaVersion: '1.0'\nphases:\n  - name: build\n    steps:\n      - name: R\n        action: UpdateOS\n        inputs:\n          include: []\n          extra: {}\n");
  });

  test('booleans, numbers and null are written as YAML scalars', () => {
    const text = renderComponentDocument(withCommands([]) as ToeDocument);
    expect(text).toContain('commands: []');
    const scalars = renderComponentDocument({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'D', action: 'DeleteFolder', inputs: [{ path: '/a', force: true, n: -1.5, z: null, big: 1e21, neg: -0 }] }] }],
    });
    expect(scalars).toContain('- path: /a\n            force: true\n            \'n\': -1.5\n            z: null\n            big: 1e+21\n            neg: 0\n');
  });

  describe('quoting', () => {
    test.each([
      ['yes', "- 'yes'\n"],
      ['No', "- 'No'\n"],
      ['on', "- 'on'\n"],
      ['1.0', "- '1.0'\n"],
      ['0700', "- '0700'\n"],
      ['1:20', "- '1:20'\n"],
      ['2024-01-31', "- '2024-01-31'\n"],
      ['null', "- 'null'\n"],
      ['~', "- '~'\n"],
      ['', "- ''\n"],
      ['{{ x }}', "- '{{ x }}'\n"],
      ['echo {{ loop.value }}', "- 'echo {{ loop.value }}'\n"],
      ['key: value', "- 'key: value'\n"],
      ['*star', "- '*star'\n"],
      ['#hash', "- '#hash'\n"],
      ['a #comment', "- 'a #comment'\n"],
      ['- dash', "- '- dash'\n"],
      ['[a]', "- '[a]'\n"],
      ['trailing:', "- 'trailing:'\n"],
      [' padded ', "- ' padded '\n"],
      ["it's", "- it's\n"],
      ["'quoted'", "- '''quoted'''\n"],
      ['"double"', "- '\"double\"'\n"],
      ['bell\u0007', '- "bell\\a"\n'],
      ['crlf\r\n', '- "crlf\\r\\n"\n'],
      ['echo hello world', '- echo hello world\n'],
      ['C:\\Windows\\Temp', '- C:\\Windows\\Temp\n'],
      ['s3://bucket/key', '- s3://bucket/key\n'],
      ['https://example.com/a?b=c#d', '- https://example.com/a?b=c#d\n'],
    ])('%j', (command, expected) => {
      expect(renderedCommand(command)).toBe(`${' '.repeat(12)}${expected}`);
    });

    test('a quoted string is a string to a YAML 1.1 reader too', () => {
      for (const word of ['yes', 'no', 'on', 'off', 'y', 'n', '0700', '1_000', '2024-01-31', '1:20', '.5']) {
        const text = renderComponentDocument(withCommands([word]));
        const commands = (parseYaml11(text, { version: '1.1' }) as ToeDocument).phases[0].steps[0].inputs as { commands: unknown[] };
        expect(commands.commands).toEqual([word]);
      }
    });

    test('words written plain read back as themselves to YAML 1.1 and 1.2 readers, whatever their case', () => {
      const word = fc.oneof(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/),
        fc.stringMatching(/^[eE][0-9_-]{0,3}$/),
        fc.constantFrom('y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null').chain(w => fc.mixedCase(fc.constant(w))),
      );
      fc.assert(fc.property(word, w => {
        const text = renderComponentDocument(withCommands([w]));
        for (const version of ['1.1', '1.2'] as const) {
          const commands = (parseYaml11(text, { version }) as ToeDocument).phases[0].steps[0].inputs as { commands: unknown[] };
          expect(commands.commands).toEqual([w]);
        }
      }), { numRuns: 1000 });
    });

    test('keys are quoted by the same rules', () => {
      const text = renderComponentDocument({
        schemaVersion: '1.0',
        phases: [{ name: 'build', steps: [{ name: 'M', action: 'InstallMSI', inputs: { path: 'a.msi', properties: { 'yes': 'y', 'A B': 'c', '<<': 'm', '{{ K }}': 'v' } } }] }],
      });
      expect(text).toContain("properties:\n            'yes': 'y'\n            A B: c\n            '<<': m\n            '{{ K }}': v\n");
    });
  });

  describe('multi-line strings', () => {
    test.each([
      ['one trailing newline', 'a\nb\n', '- |\n  a\n  b\n'],
      ['no trailing newline', 'a\nb', '- |-\n  a\n  b\n'],
      ['several trailing newlines', 'a\nb\n\n', '- |+\n  a\n  b\n\n'],
      ['a first line that starts with spaces', '  a\nb\n', '- |2\n    a\n  b\n'],
      ['blank lines inside', 'a\n\n  b\n', '- |\n  a\n\n    b\n'],
      ['only newlines', '\n\n', '- "\\n\\n"\n'],
      ['only spaces and newlines', ' \n ', '- " \\n "\n'],
    ])('%s', (_, command, expected) => {
      const indented = expected.split('\n').map(line => (line === '' ? '' : `            ${line}`)).join('\n');
      expect(renderedCommand(command)).toBe(indented);
      expect((parseComponentDocumentYaml(renderComponentDocument(withCommands([command]))) as ToeDocument).phases[0].steps[0].inputs)
        .toEqual({ commands: [command] });
    });

    test('long lines are never folded', () => {
      const long = `echo ${'x'.repeat(500)} ${'y '.repeat(100)}end`;
      expect(renderedCommand(long)).toBe(`            - ${long}\n`);
      expect(renderedCommand(`${long}\n${long}\n`)).toBe(`            - |\n              ${long}\n              ${long}\n`);
    });
  });

  test('nested lists and maps in lists', () => {
    const text = renderComponentDocument({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'A', action: 'Assert', inputs: { and: [{ stringEquals: 'a', value: 'a' }, [1, [2]]] } }] }],
    });
    expect(text).toContain('inputs:\n          and:\n            - stringEquals: a\n              value: a\n            - - 1\n              - - 2\n');
    expect(parseComponentDocumentYaml(text)).toEqual({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'A', action: 'Assert', inputs: { and: [{ stringEquals: 'a', value: 'a' }, [1, [2]]] } }] }],
    });
  });

  test('any strings, keys and nesting read back unchanged', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary-ascii', maxLength: 30 }),
      fc.constantFrom('yes', 'No', '1.0', '0700', '~', '', ' ', '\n', 'a\n', '  x\ny', '{{ x }}', '- a', 'a: b', '#', '@x', '1e3'),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter(n => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec(tie => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 10 }), tie('node'), { maxKeys: 4 }),
    })).node;
    fc.assert(fc.property(value, fc.array(scalar.filter(s => typeof s === 'string'), { maxLength: 5 }), (inputs, commands) => {
      const doc = { schemaVersion: '1.0', phases: [{ name: 'build', steps: [{ name: 'Run', action: 'ExecuteBash', inputs: { commands, extra: inputs } }] }] } as ToeDocument;
      const text = renderComponentDocument(doc);
      expect(parseComponentDocumentYaml(text)).toEqual(doc);
      expect(renderComponentDocument(parseComponentDocumentYaml(text) as ToeDocument)).toBe(text);
    }), { numRuns: 300 });
  });

  test('values that are not YAML data are refused', () => {
    const doc = withCommands(['ls']);
    const step = doc.phases[0].steps[0] as { inputs: Record<string, unknown> };
    step.inputs.when = new Date(0);
    expect(() => renderComponentDocument(doc)).toThrow('Cannot render [object Date] in a component document');
    step.inputs.when = () => 1;
    expect(() => renderComponentDocument(doc)).toThrow('Cannot render function in a component document');
    step.inputs.when = step.inputs;
    expect(() => renderComponentDocument(doc)).toThrow('Cannot render a component document that contains itself');
  });
});
