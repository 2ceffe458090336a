import { buildSteps, messagesOf, yaml } from './helpers';
import { classifyExpression, findExpressions } from '../../../src/provisioning/toe/expressions';

describe('expression syntax', () => {
  test('expressions are found with spaces trimmed', () => {
    expect(findExpressions("echo {{ A }} {{B}} '{{  build.S.outputs.stdout  }}'")).toEqual([
      { body: 'A', text: '{{ A }}' },
      { body: 'B', text: '{{B}}' },
      { body: 'build.S.outputs.stdout', text: '{{  build.S.outputs.stdout  }}' },
    ]);
    expect(findExpressions('no expressions ${HOME} { x }')).toEqual([]);
  });

  test('references are classified by form', () => {
    expect(classifyExpression('Version')).toEqual({ kind: 'variable', name: 'Version' });
    expect(classifyExpression('loop.index')).toEqual({ kind: 'loop', loopName: 'loop', member: 'index' });
    expect(classifyExpression('hosts.value')).toEqual({ kind: 'loop', loopName: 'hosts', member: 'value' });
    expect(classifyExpression('build.Download.inputs[0].destination')).toEqual({
      kind: 'chain', phase: 'build', step: 'Download', section: 'inputs', path: [{ index: 0 }, { key: 'destination' }],
    });
    expect(classifyExpression('container-host-test.Run.outputs.stdout')).toEqual({
      kind: 'chain', phase: 'container-host-test', step: 'Run', section: 'outputs', path: [{ key: 'stdout' }],
    });
    expect(classifyExpression('')).toEqual({ kind: 'invalid', reason: 'the braces are empty' });
    expect(classifyExpression('deploy.Step.outputs.stdout')).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^'deploy' is not a phase/) });
    expect(classifyExpression('build.Step.outputs')).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/must name what to read from outputs/) });
    expect(classifyExpression('a b')).toMatchObject({ kind: 'invalid' });
    expect(classifyExpression('.State.Running')).toMatchObject({ kind: 'invalid' });
  });
});

describe('variables', () => {
  const withVariables = yaml`
    schemaVersion: 1.0
    parameters:
      - Version:
          type: string
    constants:
      - BaseUrl:
          type: string
          value: https://example.com
    phases:
      - name: build
        steps:
          - name: Get
            action: WebDownload
            inputs:
              - source: '{{ BaseUrl }}/app-{{Version}}.zip'
                destination: '{{ version }}'
  `;

  test('declared parameters and constants resolve; others are reported with the fix', () => {
    expect(messagesOf(withVariables)).toEqual([
      "phases[0].steps[0].inputs[0].destination uses {{ version }}, but 'version' is not a declared parameter or constant "
      + "(did you mean 'Version'? names are case-sensitive): declare it under parameters (a value the recipe can set) or constants, or fix the name",
    ]);
  });

  test('each expression is reported once per value', () => {
    const text = buildSteps("- name: A\n  action: ExecuteBash\n  inputs:\n    commands: ['echo {{ Missing }} {{ Missing }}']");
    expect(messagesOf(text)).toHaveLength(1);
  });

  test('malformed expressions are reported', () => {
    const text = buildSteps("- name: A\n  action: ExecuteBash\n  inputs:\n    commands: ['echo {{ }}', \"docker inspect -f '{{ .State.Running }}' web\"]");
    expect(messagesOf(text)).toEqual([
      'phases[0].steps[0].inputs.commands[0] uses {{ }}, but the braces are empty',
      'phases[0].steps[0].inputs.commands[1] uses {{ .State.Running }}, but it is not a parameter or constant name, a loop variable (loop.value, loop.index) '
      + 'or a chaining expression (<phase>.<step>.inputs[<n>].<name> or <phase>.<step>.outputs.<name>)',
    ]);
  });
});

describe('loop variables', () => {
  test('loop variables resolve inside the looped step, by loop or by the loop name', () => {
    const text = buildSteps(yaml`
      - name: Ping
        action: ExecuteBash
        loop:
          name: hosts
          forEach: [a, b]
        inputs:
          commands: ['ping {{ loop.value }} {{ hosts.value }} {{ hosts.index }} {{ loop.index }}']
    `);
    expect(messagesOf(text)).toEqual([]);
  });

  test('loop variables outside a looped step are reported', () => {
    const text = buildSteps(yaml`
      - name: Ping
        action: ExecuteBash
        loop: { name: hosts, forEach: [a] }
        inputs: { commands: ['ping {{ hosts.value }}'] }
      - name: After
        action: ExecuteBash
        inputs: { commands: ['echo {{ loop.value }}', 'echo {{ hosts.index }}', 'echo {{ other.value }}'] }
    `);
    expect(messagesOf(text)).toEqual([
      'phases[0].steps[1].inputs.commands[0] uses {{ loop.value }}, but this step has no loop: loop.value can only be used in a step that has a loop '
      + '(add loop: { forEach: [...] } or use a parameter)',
      "phases[0].steps[1].inputs.commands[1] uses {{ hosts.index }}, but 'hosts' is the loop of step 'Ping': a step can use only its own loop's variables (loop.index here)",
      "phases[0].steps[1].inputs.commands[2] uses {{ other.value }}, but 'other' is not a loop name or a declared variable: "
      + "name this step's loop 'other' (loop: { name: other, ... }) or use loop.value",
    ]);
  });

  test('the loop values cannot use loop variables, but can use parameters and chaining', () => {
    const text = yaml`
      schemaVersion: 1.0
      parameters:
        - Hosts: { type: string, default: 'a,b' }
      phases:
        - name: build
          steps:
            - name: List
              action: ExecuteBash
              inputs: { commands: ['ls /opt'] }
            - name: Each
              action: ExecuteBash
              loop:
                forEach:
                  list: '{{ build.List.outputs.stdout }}'
                  delimiter: "\\n"
              inputs: { commands: ['echo {{ loop.value }}'] }
            - name: Params
              action: ExecuteBash
              loop:
                forEach: ['{{ Hosts }}', '{{ loop.value }}']
              inputs: { commands: ['echo {{ loop.value }}'] }
    `;
    expect(messagesOf(text)).toEqual([
      "phases[0].steps[2].loop.forEach[1] uses {{ loop.value }}, but loop variables exist only while the loop runs: they can be used in the step's inputs, not in the loop's own values",
    ]);
  });
});

describe('chaining', () => {
  const chain = yaml`
    schemaVersion: 1.0
    phases:
      - name: build
        steps:
          - name: Download
            action: S3Download
            inputs:
              - source: s3://bucket/app.zip
                destination: /tmp/app.zip
          - name: Where
            action: ExecuteBash
            inputs:
              commands: ['echo /opt/app']
          - name: Install
            action: ExecuteBinary
            inputs:
              path: /usr/bin/unzip
              arguments: ['{{ build.Download.inputs[0].destination }}', '-d', '{{ build.Where.outputs.stdout }}']
      - name: validate
        steps:
          - name: Check
            action: ExecuteBash
            inputs:
              commands: ['test -d {{ build.Where.outputs.stdout }}', 'test -x {{ build.Install.inputs.path }}']
      - name: test
        steps:
          - name: Fresh
            action: ExecuteBash
            inputs:
              commands: ['ls {{ test.Fresh2.inputs.commands[0] }}']
          - name: Fresh2
            action: ExecuteBash
            inputs:
              commands: ['echo {{ test.Fresh.outputs.stdout }}']
  `;

  test('earlier steps of the same stage can be read', () => {
    expect(messagesOf(chain.replace("'ls {{ test.Fresh2.inputs.commands[0] }}'", 'ls'))).toEqual([]);
  });

  test('a later step cannot be read', () => {
    expect(messagesOf(chain)).toEqual([
      "phases[2].steps[0].inputs.commands[0] uses {{ test.Fresh2.inputs.commands[0] }}, but step 'Fresh2' runs after this one "
      + "(it is step 1 of 'test'): chaining can only read earlier steps",
    ]);
  });

  test.each([
    ['{{ build.Install.outputs.stdout }}', 'but a step cannot read its own inputs or outputs: refer to an earlier step'],
    ['{{ build.Dowload.inputs[0].destination }}', "but phase 'build' has no step 'Dowload'"],
    ['{{ build.download.inputs[0].destination }}', "but phase 'build' has no step 'download' (did you mean 'Download'? names are case-sensitive)"],
    ['{{ build.Download.inputs[1].destination }}', "but the inputs of step 'Download' has 1 entry, so [1] does not exist (indexes start at 0)"],
    ['{{ build.Download.inputs.destination }}', "but the inputs of step 'Download' is a list: pick an entry first, like inputs[0], so .destination cannot be read"],
    ['{{ build.Download.inputs[0].target }}', "but the inputs[0] of step 'Download' has no 'target' (it has 'source' and 'destination')"],
    ['{{ build.Where.inputs[0] }}', "but the inputs of step 'Where' is not a list, so [0] cannot be read (write Where.inputs.<name> for ExecuteBash inputs)"],
    ['{{ build.Download.outputs.destination }}', "but the S3Download action of step 'Download' has no outputs: read its inputs instead, like Download.inputs[0].destination"],
    ['{{ build.Where.outputs.stdOut }}', "but ExecuteBash has no output 'stdOut' (did you mean 'stdout'? names are case-sensitive): its outputs are 'stdout'"],
    ['{{ validate.Check.outputs.stdout }}', "but the 'validate' phase runs after 'build': chaining can only read steps that have already run"],
    ['{{ test.Fresh.outputs.stdout }}', "but Image Builder runs the 'test' phase in its test stage and 'build' in its build stage, on different instances, "
      + 'so chaining cannot cross them: repeat the step in this phase, or pass the value as a parameter'],
  ])('%s from the build phase is reported', (expression, problem) => {
    const text = chain.replace("'-d'", `'${expression}'`);
    expect(messagesOf(text.replace("'ls {{ test.Fresh2.inputs.commands[0] }}'", 'ls'))).toEqual([
      `phases[0].steps[2].inputs.arguments[1] uses ${expression}, ${problem}`,
    ]);
  });

  test('the test stage cannot read the build stage, and a missing phase is reported', () => {
    const text = yaml`
      schemaVersion: 1.0
      phases:
        - name: build
          steps:
            - name: Where
              action: ExecuteBash
              inputs: { commands: ['echo /opt'] }
        - name: test
          steps:
            - name: Use
              action: ExecuteBash
              inputs: { commands: ['ls {{ build.Where.outputs.stdout }}', 'ls {{ validate.X.outputs.stdout }}'] }
    `;
    expect(messagesOf(text)).toEqual([
      "phases[1].steps[0].inputs.commands[0] uses {{ build.Where.outputs.stdout }}, but Image Builder runs the 'build' phase in its build stage "
      + "and 'test' in its test stage, on different instances, so chaining cannot cross them: repeat the step in this phase, or pass the value as a parameter",
      "phases[1].steps[0].inputs.commands[1] uses {{ validate.X.outputs.stdout }}, but this document has no 'validate' phase",
    ]);
  });

  test('outputs of actions whose outputs are not documented are not checked', () => {
    const text = buildSteps(yaml`
      - name: Nested
        action: ExecuteDocument
        inputs: { document: other.yaml }
      - name: Use
        action: ExecuteBash
        inputs: { commands: ['echo {{ build.Nested.outputs.status }}'] }
    `);
    expect(messagesOf(text)).toEqual([]);
  });

  test('expressions in a condition are checked', () => {
    const text = buildSteps(yaml`
      - name: Where
        action: ExecuteBash
        inputs: { commands: ['echo x'] }
      - name: Maybe
        action: Reboot
        if:
          stringEquals: 'x'
          value: '{{ build.Where.outputs.stdout }}{{ Missing }}'
    `);
    expect(messagesOf(text)).toEqual([
      "phases[0].steps[1].if.value uses {{ Missing }}, but 'Missing' is not a declared parameter or constant: "
      + 'declare it under parameters (a value the recipe can set) or constants, or fix the name',
    ]);
  });
});

describe('unquoted expressions', () => {
  const quoteAdvice = (path: string, expression: string) =>
    `${path} is a mapping, but a string was expected: YAML reads an unquoted ${expression} as a flow mapping. Quote the value, for example '${expression}'`;

  test.each([
    ['a flow list item', '- name: A\n  action: ExecuteBash\n  inputs:\n    commands: [{{ Cmd }}]', quoteAdvice('phases[0].steps[0].inputs.commands[0]', '{{ Cmd }}')],
    ['a block list item', '- name: A\n  action: ExecuteBash\n  inputs:\n    commands:\n      - {{Cmd}}', quoteAdvice('phases[0].steps[0].inputs.commands[0]', '{{ Cmd }}')],
    ['a map value', '- name: A\n  action: S3Download\n  inputs:\n    - source: {{ Cmd }}\n      destination: /tmp/x', quoteAdvice('phases[0].steps[0].inputs[0].source', '{{ Cmd }}')],
    ['a loop list', '- name: A\n  action: ExecuteBash\n  loop:\n    forEach:\n      list: {{ Cmd }}\n  inputs: { commands: [ls] }', quoteAdvice('phases[0].steps[0].loop.forEach.list', '{{ Cmd }}')],
    ['a step name', '- name: {{ Cmd }}\n  action: Reboot', quoteAdvice('phases[0].steps[0].name', '{{ Cmd }}')],
    ['a chaining expression', '- name: A\n  action: ExecuteBinary\n  inputs:\n    path: {{ build.X.outputs.stdout }}', quoteAdvice('phases[0].steps[0].inputs.path', '{{ build.X.outputs.stdout }}')],
  ])('in %s', (_, steps, message) => {
    const text = `parameters:\n  - Cmd: { type: string, default: ls }\n${buildSteps(steps)}`;
    expect(messagesOf(text)).toEqual([message]);
  });

  test('a whole inputs block written as an expression', () => {
    expect(messagesOf(`parameters:\n  - Cmd: { type: string, default: ls }\n${buildSteps('- name: A\n  action: DeleteFile\n  inputs: {{ Cmd }}')}`)).toEqual([
      quoteAdvice('phases[0].steps[0].inputs', '{{ Cmd }}'),
    ]);
  });
});
