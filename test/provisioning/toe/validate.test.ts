import { buildSteps, findingsOf, messagesOf, yaml } from './helpers';
import { ToeDocument } from '../../../src/provisioning/toe/component-document';
import { parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';
import { documentPlatforms, validateComponentDocument } from '../../../src/provisioning/toe/validate';

const bashStep = yaml`
  - name: Hello
    action: ExecuteBash
    inputs:
      commands:
        - echo hello
`;

describe('document', () => {
  test('a minimal document is valid', () => {
    expect(messagesOf(buildSteps(bashStep))).toEqual([]);
  });

  test('a document that is not a mapping', () => {
    expect(validateComponentDocument(['a'])).toEqual([{
      path: '',
      severity: 'error',
      message: 'the document must be a mapping with schemaVersion and phases, but it is a list',
    }]);
    expect(validateComponentDocument(null)[0].message).toMatch(/must be a mapping .* but it is null/);
  });

  test('unknown top-level keys are reported, with the right spelling when only the case differs', () => {
    const text = `${buildSteps(bashStep)}Description: x\nauthor: me\n`;
    expect(messagesOf(text)).toEqual([
      "Description is not a key of a component document (did you mean 'description'? names are case-sensitive): "
      + "the keys are 'name', 'description', 'schemaVersion', 'parameters', 'constants' and 'phases'",
      "author is not a key of a component document: the keys are 'name', 'description', 'schemaVersion', 'parameters', 'constants' and 'phases'",
    ]);
  });

  test('name and description must be strings', () => {
    const text = `name: [a]\ndescription: {{ x }}\n${buildSteps(bashStep)}`;
    expect(messagesOf(text)).toEqual([
      'name must be a string, not a list',
      "description is a mapping, but a string was expected: YAML reads an unquoted {{ x }} as a flow mapping. Quote the value, for example '{{ x }}'",
    ]);
  });

  test.each([
    ['1.0', []],
    ["'1.0'", []],
    ['"1.0"', []],
  ])('schemaVersion %s is accepted', (version, expected) => {
    expect(messagesOf(buildSteps(bashStep).replace('schemaVersion: 1.0', `schemaVersion: ${version}`))).toEqual(expected);
  });

  test('schemaVersion given as the number 1 by code is accepted', () => {
    const doc: ToeDocument = { schemaVersion: 1, phases: [{ name: 'build', steps: [{ name: 'A', action: 'Reboot' }] }] };
    expect(validateComponentDocument(doc)).toEqual([]);
  });

  test.each(['2.0', '1.1', "'1'", 'latest'])('schemaVersion %s is rejected', version => {
    expect(messagesOf(buildSteps(bashStep).replace('schemaVersion: 1.0', `schemaVersion: ${version}`)))
      .toEqual([expect.stringMatching(/^schemaVersion must be 1\.0, the only AWSTOE schema version, not /)]);
  });

  test('schemaVersion and phases are required', () => {
    expect(messagesOf('name: empty\n')).toEqual([
      'the document has no schemaVersion: add schemaVersion: 1.0',
      'the document has no phases: add phases: with at least one of build, validate or test, each with its steps',
    ]);
  });

  test.each([
    ['phases: []', 'phases must be a non-empty list of phases (- name: build ...), not an empty list'],
    ['phases: build', "phases must be a non-empty list of phases (- name: build ...), not 'build'"],
  ])('%s is rejected', (phases, message) => {
    expect(messagesOf(`schemaVersion: 1.0\n${phases}\n`)).toEqual([message]);
  });
});

describe('phases', () => {
  test('phase names must be known, and the message suggests the right case', () => {
    const text = buildSteps(bashStep).replace('name: build', 'name: Build');
    expect(messagesOf(text)).toEqual([
      "phases[0].name 'Build' is not a phase (did you mean 'build'? names are case-sensitive): "
      + 'phases are named build, validate, test and container-host-test',
    ]);
  });

  test('phase names must be unique', () => {
    const text = yaml`
      schemaVersion: 1.0
      phases:
        - name: build
          steps:
            - name: A
              action: Reboot
        - name: build
          steps:
            - name: B
              action: Reboot
    `;
    expect(messagesOf(text)).toEqual([
      "phases[1].name 'build' is used twice: phase names must be unique in a document, so move these steps into phases[0]",
    ]);
  });

  test('a phase needs a name and steps', () => {
    const text = yaml`
      schemaVersion: 1.0
      phases:
        - steps:
            - name: A
              action: Reboot
        - name: test
        - name: validate
          steps: []
        - name: build
          step: []
    `;
    expect(messagesOf(text)).toEqual([
      'phases[0] has no name: name it one of build, validate, test and container-host-test',
      'phases[1] has no steps: add steps: with at least one step, or remove the phase',
      'phases[2].steps must be a non-empty list of steps, not an empty list',
      "phases[3].step is not a key of a phase: the keys are 'name' and 'steps'",
      'phases[3] has no steps: add steps: with at least one step, or remove the phase',
    ]);
  });

  test('a container-host-test phase alone is not enough', () => {
    const text = buildSteps(bashStep).replace('name: build', 'name: container-host-test');
    expect(messagesOf(text)).toEqual(['phases must include at least one of the build, validate or test phases']);
  });

  test('validate and test phases on their own are valid', () => {
    expect(messagesOf(buildSteps(bashStep).replace('name: build', 'name: validate'))).toEqual([]);
    expect(messagesOf(buildSteps(bashStep).replace('name: build', 'name: test'))).toEqual([]);
  });
});

describe('steps', () => {
  test('step names must be unique within a phase', () => {
    const text = buildSteps(yaml`
      - name: Install
        action: Reboot
      - name: Install
        action: Reboot
    `);
    expect(messagesOf(text)).toEqual([
      "phases[0].steps[1].name 'Install' is used twice in phase 'build': step names must be unique within a phase (steps[0] has it already)",
    ]);
  });

  test('the same step name in two phases is fine', () => {
    const text = yaml`
      schemaVersion: 1.0
      phases:
        - name: validate
          steps:
            - name: Check
              action: Reboot
        - name: test
          steps:
            - name: Check
              action: Reboot
    `;
    expect(messagesOf(text)).toEqual([]);
  });

  test.each(['Install_App', 'install-app', 'Step1', '1st', 'a'])('step name %s is accepted', name => {
    expect(messagesOf(buildSteps(`- name: ${name}\n  action: Reboot`))).toEqual([]);
  });

  test.each(['Install app', 'install.app', 'x'.repeat(129), 'café'])('step name %s is rejected', name => {
    expect(messagesOf(buildSteps(`- name: '${name}'\n  action: Reboot`))).toEqual([
      `phases[0].steps[0].name '${name}' is not a usable step name: use 1 to 128 letters, digits, '-' and '_' `
      + '(chaining expressions address steps as <phase>.<step>, so dots, spaces and braces cannot be referred to)',
    ]);
  });

  test('a step needs a name and an action', () => {
    expect(messagesOf(buildSteps('- inputs: {}'))).toEqual([
      "phases[0].steps[0] has no name: every step needs a name of letters, digits, '-' and '_', unique in its phase",
      'phases[0].steps[0] has no action: give the action module that runs the step, like action: ExecuteBash',
    ]);
    expect(messagesOf(buildSteps('- name: 12\n  action: Reboot'))).toEqual(['phases[0].steps[0].name must be a string, not 12']);
    expect(messagesOf(buildSteps('- just a string'))).toEqual(["phases[0].steps[0] must be a map with name, action and inputs, not 'just a string'"]);
  });

  test.each([
    ['executebash', "'executebash' is not an AWSTOE action module: did you mean 'ExecuteBash'? (action names are case-sensitive)"],
    ['ExecutBash', "'ExecutBash' is not an AWSTOE action module: did you mean 'ExecuteBash'? (action names are case-sensitive)"],
    ['InstallPackage', "'InstallPackage' is not an AWSTOE action module: there is no package install action; install packages with "
      + 'ExecuteBash (dnf, yum or apt-get), InstallMSI on Windows, or an AWS-managed component'],
    ['Frobnicate', "'Frobnicate' is not an AWSTOE action module: see \"Action modules supported by AWSTOE component manager\" in the Image Builder user guide for the list"],
  ])('unknown action %s', (action, message) => {
    expect(messagesOf(buildSteps(`- name: A\n  action: ${action}\n  inputs: {}`))).toEqual([`phases[0].steps[0].action ${message}`]);
  });

  test('unknown step keys are reported, with the documented name for common mistakes', () => {
    const text = buildSteps(yaml`
      - name: A
        action: Reboot
        timeout: 60
        Inputs: {}
        retries: 2
    `);
    expect(messagesOf(text)).toEqual([
      "phases[0].steps[0].timeout is not a key of a step (did you mean 'timeoutSeconds'?): the keys are 'name', 'action', "
      + "'timeoutSeconds', 'onFailure', 'maxAttempts', 'loop', 'if' and 'inputs'",
      expect.stringMatching(/^phases\[0\]\.steps\[0\]\.Inputs is not a key of a step \(did you mean 'inputs'\? names are case-sensitive\)/),
      expect.stringMatching(/^phases\[0\]\.steps\[0\]\.retries is not a key of a step \(did you mean 'maxAttempts'\?\)/),
    ]);
  });

  describe('timeoutSeconds', () => {
    const withTimeout = (action: string, timeout: string): string[] =>
      messagesOf(buildSteps(`- name: A\n  action: ${action}\n  timeoutSeconds: ${timeout}\n  inputs:\n    commands: [ls]`));

    test.each(['1', '7200', '-1'])('%s is accepted', timeout => {
      expect(withTimeout('ExecuteBash', timeout)).toEqual([]);
    });

    test.each(['0', '-2'])('%s is rejected', timeout => {
      expect(withTimeout('ExecuteBash', timeout)).toEqual([
        `phases[0].steps[0].timeoutSeconds must be a positive number of seconds, or -1 for no limit, not ${timeout}`,
      ]);
    });

    test.each([['1.5', '1.5'], ["'60'", "'60'"], ['1h', "'1h'"]])('%s is not a whole number', (timeout, shown) => {
      expect(withTimeout('ExecuteBash', timeout)).toEqual([
        `phases[0].steps[0].timeoutSeconds must be a whole number of seconds, or -1 for no limit, not ${shown}`,
      ]);
    });

    test('Reboot steps take no timeout', () => {
      expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  timeoutSeconds: 60'))).toEqual([
        'phases[0].steps[0].timeoutSeconds is not supported by the Reboot action (the instance restarts, so the step cannot time out): remove it',
      ]);
    });

    test('ExecuteDocument accepts only -1', () => {
      const step = (timeout: string) => buildSteps(`- name: D\n  action: ExecuteDocument\n  timeoutSeconds: ${timeout}\n  inputs:\n    document: other.yaml`);
      expect(messagesOf(step('-1'))).toEqual([]);
      expect(messagesOf(step('600'))).toEqual([
        'phases[0].steps[0].timeoutSeconds must be -1 or left out: ExecuteDocument always runs without a time limit and rejects other values',
      ]);
    });
  });

  test('onFailure must be one of the three documented values', () => {
    for (const value of ['Abort', 'Continue', 'Ignore']) {
      expect(messagesOf(buildSteps(`- name: R\n  action: Reboot\n  onFailure: ${value}`))).toEqual([]);
    }
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  onFailure: abort'))).toEqual([
      "phases[0].steps[0].onFailure must be Abort, Continue or Ignore, not 'abort' (did you mean 'Abort'? names are case-sensitive)",
    ]);
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  onFailure: Retry'))).toEqual([
      "phases[0].steps[0].onFailure must be Abort, Continue or Ignore, not 'Retry'",
    ]);
  });

  test('maxAttempts must be a positive whole number, and 1 for ExecuteDocument', () => {
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  maxAttempts: 3'))).toEqual([]);
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  maxAttempts: 0'))).toEqual([
      'phases[0].steps[0].maxAttempts must be a whole number of at least 1, not 0',
    ]);
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  maxAttempts: 2.5'))).toEqual([
      'phases[0].steps[0].maxAttempts must be a whole number of at least 1, not 2.5',
    ]);
    expect(messagesOf(buildSteps('- name: D\n  action: ExecuteDocument\n  maxAttempts: 2\n  inputs:\n    document: a.yaml'))).toEqual([
      'phases[0].steps[0].maxAttempts must be 1 or left out: ExecuteDocument runs once and rejects retries',
    ]);
  });

  test('if must be a map', () => {
    expect(messagesOf(buildSteps("- name: R\n  action: Reboot\n  if:\n    stringEquals: 'a'\n    value: 'a'"))).toEqual([]);
    expect(messagesOf(buildSteps('- name: R\n  action: Reboot\n  if: always'))).toEqual([
      "phases[0].steps[0].if must be a map holding one condition, like { stringEquals: 'x', value: '{{ MyParameter }}' }, not 'always'",
    ]);
  });
});

describe('loops', () => {
  const looped = (loop: string): string[] => messagesOf(buildSteps(`- name: L\n  action: ExecuteBash\n  loop:\n${loop}\n  inputs:\n    commands: ['echo {{ loop.value }}']`));

  test.each([
    ['a for loop', '    for:\n      start: 1\n      end: 10\n      updateBy: 2'],
    ['a counting-down for loop', '    for: { start: 10, end: 1, updateBy: -1 }'],
    ['a forEach list', '    forEach:\n      - a\n      - b'],
    ['a delimited forEach', "    forEach:\n      list: 'a;b'\n      delimiter: ';'"],
    ['a delimited forEach with the default delimiter', "    forEach:\n      list: 'a,b'"],
    ['a named loop', '    name: hosts\n    forEach: [a, b]'],
  ])('%s is valid', (_, loop) => {
    expect(looped(loop)).toEqual([]);
  });

  test.each([
    ['    for: { start: 1, end: 10 }', ['phases[0].steps[0].loop.for has no updateBy: a for loop needs start, end and updateBy']],
    ['    for: { start: 1, end: 10, updateBy: 0 }', ['phases[0].steps[0].loop.for.updateBy must not be 0: the loop would never end']],
    ['    for: { start: 1, end: 10, updateBy: -1 }', [
      'phases[0].steps[0].loop.for.updateBy must be positive to go from 1 to 10: with -1 the loop would never reach the end',
    ]],
    ["    for: { start: '{{ A }}', end: 10, updateBy: 1 }", [
      "phases[0].steps[0].loop.for.start must be a whole number (expressions are not allowed here), not '{{ A }}'",
    ]],
    ['    for: { start: 1, end: 2, updateBy: 1 }\n    forEach: [a]', [
      'phases[0].steps[0].loop has both for and forEach: a loop has one of them, so split it into two steps',
    ]],
    ['    name: x', ['phases[0].steps[0].loop needs for: { start, end, updateBy } or forEach: [...]']],
    ['    forEach: []', ['phases[0].steps[0].loop.forEach is an empty list: give the values to iterate over']],
    ['    forEach:\n      - [a]', ['phases[0].steps[0].loop.forEach[0] must be a string (loops iterate over strings), not a list']],
    ["    forEach:\n      list: 'a|b'\n      delimiter: '|'", [
      "phases[0].steps[0].loop.forEach.delimiter must be one character among . , ; : space tab newline - _ (expressions are not allowed), not '|'",
    ]],
    ['    forEach:\n      delimiter: ","', ["phases[0].steps[0].loop.forEach has no list: give the string to split, like list: 'a,b,c'"]],
    ['    forEach: [a]\n    until: b', ["phases[0].steps[0].loop.until is not a key of a loop: the keys are 'name', 'for' and 'forEach'"]],
    ["    name: 'my loop'\n    forEach: [a]", [
      "phases[0].steps[0].loop.name 'my loop' is not a usable loop name: use letters, digits, '-' and '_' (it is referred to as {{ my loop.value }})",
    ]],
  ])('%s is rejected', (loop, expected) => {
    expect(looped(loop)).toEqual(expected);
  });

  test('loop names must be unique within a phase', () => {
    const text = buildSteps(yaml`
      - name: A
        action: ExecuteBash
        loop: { name: items, forEach: [a] }
        inputs: { commands: ['echo {{ items.value }}'] }
      - name: B
        action: ExecuteBash
        loop: { name: items, forEach: [b] }
        inputs: { commands: ['echo {{ items.value }}'] }
    `);
    expect(messagesOf(text)).toEqual([
      "phases[0].steps[1].loop.name 'items' is already the name of the loop of steps[0]: loop names must be unique within a phase",
    ]);
  });
});

describe('parameters and constants', () => {
  const withVariables = (variables: string): string[] => messagesOf(`${variables}\n${buildSteps(bashStep)}`);

  test('declared parameters and constants are valid', () => {
    expect(withVariables(yaml`
      parameters:
        - Version:
            type: string
            default: '1.2'
            description: The version to install.
        - Required-Param:
            type: string
      constants:
        - Url_Base:
            type: string
            value: https://example.com
        - Port:
            type: string
            value: 8080
    `)).toEqual([]);
  });

  test.each([
    ['parameters: {}', 'parameters must be a list of single-key maps, like - MyParameter: { type: string, default: value }, not a mapping'],
    ['parameters:\n  - A1x: { type: string }\n    B2x: { type: string }', 'parameters[0] must be a map with exactly one key, the parameter\'s name, like - MyParameter: { type: string, default: value }'],
    ['parameters:\n  - ab: { type: string }', "parameters[0].ab 'ab' is not a valid parameter name: use 3 to 128 letters, digits, '-' or '_'"],
    ['parameters:\n  - my param: { type: string }', "parameters[0][\"my param\"] 'my param' is not a valid parameter name: use 3 to 128 letters, digits, '-' or '_'"],
    ['parameters:\n  - Abc: {}', 'parameters[0].Abc has no type: add type: string (the only type AWSTOE parameters have)'],
    ['parameters:\n  - Abc: { type: int }', "parameters[0].Abc.type must be string (the only type AWSTOE parameters have), not 'int'"],
    ['parameters:\n  - Abc: { type: string, default: }', 'parameters[0].Abc.default is empty: give a default value, or remove default to make the parameter required'],
    ['parameters:\n  - Abc: { type: string, value: x }', "parameters[0].Abc.value is not a key of a parameter definition: the keys are 'type', 'default' and 'description'"],
    ['parameters:\n  - Abc: string', "parameters[0].Abc must be a map with type (and optionally default and description), not 'string'"],
    ['constants:\n  - Abc: { type: string }', "constants[0].Abc has no value: constant 'Abc' needs value: ..."],
    ['constants:\n  - Abc: { type: string, value: [a] }', 'constants[0].Abc.value must be a string, not a list'],
    ['constants:\n  - Abc: { type: string, value: {{ x }} }', "constants[0].Abc.value is a mapping, but a string was expected: YAML reads an unquoted {{ x }} as a flow mapping. Quote the value, for example '{{ x }}'"],
  ])('%s is rejected', (variables, message) => {
    expect(withVariables(variables)).toEqual([message]);
  });

  test('a name may not be both a parameter and a constant', () => {
    expect(withVariables('parameters:\n  - Abc: { type: string }\nconstants:\n  - Abc: { type: string, value: x }')).toEqual([
      "constants[0].Abc 'Abc' is already declared as a parameter: parameter and constant names must be unique in a document",
    ]);
  });
});

describe('platforms', () => {
  const linuxDoc = buildSteps(bashStep);
  const windowsDoc = buildSteps('- name: Hello\n  action: ExecutePowerShell\n  inputs:\n    commands: [Write-Host hi]');
  const portableDoc = buildSteps('- name: Get\n  action: S3Download\n  inputs:\n    - source: s3://b/k\n      destination: /tmp/k');

  test('documentPlatforms follows the actions', () => {
    const parse = (text: string) => parseComponentDocumentYaml(text) as ToeDocument;
    expect(documentPlatforms(parse(linuxDoc))).toEqual(['Linux']);
    expect(documentPlatforms(parse(windowsDoc))).toEqual(['Windows']);
    expect(documentPlatforms(parse(portableDoc))).toEqual(['Linux', 'Windows']);
    for (const action of ['InstallMSI', 'UninstallMSI']) {
      expect(documentPlatforms(parse(buildSteps(`- name: M\n  action: ${action}\n  inputs: { path: a.msi }`)))).toEqual(['Windows']);
    }
    expect(documentPlatforms(parse(buildSteps('- name: R\n  action: SetRegistry\n  inputs: [{ path: "HKLM:\\\\X", name: n, value: 1, type: DWORD }]')))).toEqual(['Windows']);
    for (const action of ['CreateSymlink', 'SetFileOwner', 'SetFolderOwner', 'SetFilePermissions', 'SetFolderPermissions']) {
      expect(documentPlatforms(parse(buildSteps(`- name: P\n  action: ${action}\n  inputs: [{ path: /x }]`)))).toEqual(['Linux']);
    }
    expect(documentPlatforms(parse(buildSteps('- name: F\n  action: CreateFile\n  inputs: [{ path: /x, permissions: "0644" }]')))).toEqual(['Linux']);
    expect(documentPlatforms(parse(buildSteps('- name: F\n  action: CreateFile\n  inputs: [{ path: /x }]')))).toEqual(['Linux', 'Windows']);
    const mixed = {
      schemaVersion: '1.0',
      phases: [{
        name: 'build',
        steps: [
          { name: 'A', action: 'ExecuteBash', inputs: { commands: ['ls'] } },
          { name: 'B', action: 'ExecutePowerShell', inputs: { commands: ['dir'] } },
        ],
      }],
    } as ToeDocument;
    expect(documentPlatforms(mixed)).toEqual([]);
  });

  test('actions that the component platform cannot run are reported with the alternative', () => {
    expect(messagesOf(linuxDoc, 'Linux')).toEqual([]);
    expect(messagesOf(linuxDoc, 'Windows')).toEqual([
      "phases[0].steps[0].action 'ExecuteBash' runs only on Linux, but the component is for Windows: use ExecutePowerShell, or build the component for Linux",
    ]);
    expect(messagesOf(windowsDoc, 'Linux')).toEqual([
      "phases[0].steps[0].action 'ExecutePowerShell' runs only on Windows, but the component is for Linux: use ExecuteBash, or build the component for Windows",
    ]);
    expect(messagesOf(portableDoc, 'Linux')).toEqual([]);
    expect(messagesOf(portableDoc, 'Windows')).toEqual([]);
  });

  test('inputs that Windows rejects are reported', () => {
    const text = buildSteps('- name: F\n  action: CreateFolder\n  inputs:\n    - path: C:\\Temp\n      owner: admin');
    expect(messagesOf(text, 'Linux')).toEqual([]);
    expect(messagesOf(text, 'Windows')).toEqual([
      "phases[0].steps[0].inputs[0].owner is not supported on Windows: CreateFolder rejects 'owner' there, so remove it "
      + '(on Windows, set ownership and access rights with ExecutePowerShell, for example icacls)',
    ]);
  });

  test('without a platform, a document that no platform can run is reported', () => {
    const text = buildSteps(yaml`
      - name: A
        action: ExecuteBash
        inputs: { commands: [ls] }
      - name: B
        action: ExecutePowerShell
        inputs: { commands: [dir] }
    `);
    expect(messagesOf(text)).toEqual([
      'phases mix steps that run only on Linux (phases[0].steps[0]) with steps that run only on Windows (phases[0].steps[1]): '
      + 'no platform can run this document, so split it into one component per platform',
    ]);
  });
});

describe('findings', () => {
  test('all findings are reported, in document order, with paths', () => {
    const findings = findingsOf(buildSteps(yaml`
      - name: A
        action: ExecuteBash
        onFailure: never
        inputs: [{ commands: [ls] }]
      - name: A
        action: S3Download
        inputs: { source: s3://b/k }
    `));
    expect(findings.map(f => [f.path, f.severity])).toEqual([
      ['phases[0].steps[0].onFailure', 'error'],
      ['phases[0].steps[0].inputs', 'error'],
      ['phases[0].steps[1].name', 'error'],
      ['phases[0].steps[1].inputs', 'error'],
    ]);
  });
});
