import { buildSteps, findingsOf, messagesOf } from './helpers';
import { validateComponentDocument } from '../../../src/provisioning/toe/validate';

/** Findings for one build step with the given action and inputs (YAML, indented under `inputs:`). */
function inputsOf(action: string, inputs: string | undefined): string[] {
  const body = inputs === undefined ? '' : `\n  inputs:${inputs.startsWith('\n') ? inputs.replace(/\n/g, '\n    ') : ` ${inputs}`}`;
  return messagesOf(buildSteps(`- name: S\n  action: ${action}${body}`));
}

describe('input shapes', () => {
  test('map actions reject a list, with the fix', () => {
    expect(inputsOf('ExecuteBash', '\n- commands: [ls]')).toEqual([
      "phases[0].steps[0].inputs is a list, but ExecuteBash takes a single map of inputs: remove the '- ' in front of the first key, "
      + 'for example inputs: { commands: [...] }',
    ]);
  });

  test('list actions reject a map, with the fix', () => {
    expect(inputsOf('S3Download', '\nsource: s3://bucket/key\ndestination: /tmp/key')).toEqual([
      "phases[0].steps[0].inputs is a map, but S3Download takes a list of maps (one per file or folder): put '- ' in front of the first key, "
      + 'for example inputs: [{ source: ..., destination: ... }]',
    ]);
  });

  test('list actions need at least one entry, each a map', () => {
    expect(inputsOf('DeleteFile', '[]')).toEqual([
      'phases[0].steps[0].inputs is an empty list: DeleteFile needs at least one entry, for example inputs: [{ path: ... }]',
    ]);
    expect(inputsOf('DeleteFile', '\n- /tmp/a')).toEqual([
      "phases[0].steps[0].inputs[0] must be a map of DeleteFile inputs, for example { path: ... }, not '/tmp/a'",
    ]);
  });

  test('inputs that are neither map nor list', () => {
    expect(inputsOf('ExecuteBash', 'ls')).toEqual([
      "phases[0].steps[0].inputs must be a map, for example inputs: { commands: [...] }, not 'ls'",
    ]);
    expect(inputsOf('CopyFile', '42')).toEqual([
      'phases[0].steps[0].inputs must be a list of maps, for example inputs: [{ source: ..., destination: ... }], not 42',
    ]);
  });

  test('missing or empty inputs', () => {
    expect(inputsOf('ExecuteBash', undefined)).toEqual([
      'phases[0].steps[0] has no inputs: the ExecuteBash action needs inputs, for example inputs: { commands: [...] }',
    ]);
    expect(inputsOf('ExecuteBash', '')).toEqual([
      'phases[0].steps[0].inputs is empty: the ExecuteBash action needs inputs, for example inputs: { commands: [...] }',
    ]);
    // Reboot and UpdateOS have only optional inputs.
    expect(inputsOf('Reboot', undefined)).toEqual([]);
    expect(inputsOf('UpdateOS', undefined)).toEqual([]);
  });
});

describe('input keys', () => {
  test('required keys', () => {
    expect(inputsOf('S3Download', '\n- source: s3://bucket/key')).toEqual([
      "phases[0].steps[0].inputs[0] is missing 'destination': S3Download needs 'source' and 'destination'",
    ]);
    expect(inputsOf('SetRegistry', '\n- path: HKLM:\\Software\\X\n  name: Level')).toEqual([
      "phases[0].steps[0].inputs[0] is missing 'value': SetRegistry needs 'path', 'name', 'value' and 'type'",
      "phases[0].steps[0].inputs[0] is missing 'type': SetRegistry needs 'path', 'name', 'value' and 'type'",
    ]);
  });

  test('keys the action does not document are warnings, with the right spelling when only the case differs', () => {
    const findings = findingsOf(buildSteps('- name: S\n  action: DeleteFile\n  inputs:\n    - path: /tmp/a\n      force: true\n      Path: x'));
    expect(findings).toEqual([
      {
        path: 'phases[0].steps[0].inputs[0].force',
        severity: 'warning',
        message: "phases[0].steps[0].inputs[0].force is not an input of DeleteFile: AWSTOE documents only 'path' for it, so remove 'force' or move it to the action that takes it",
      },
      {
        path: 'phases[0].steps[0].inputs[0].Path',
        severity: 'warning',
        message: "phases[0].steps[0].inputs[0].Path is not an input of DeleteFile (did you mean 'path'? names are case-sensitive): "
          + "AWSTOE documents only 'path' for it, so remove 'Path' or move it to the action that takes it",
      },
    ]);
  });

  test('ExecutePowerShell takes commands or file, not both', () => {
    expect(inputsOf('ExecutePowerShell', '\nfile: C:\\config.ps1')).toEqual([]);
    expect(inputsOf('ExecutePowerShell', '\ncommands: [dir]')).toEqual([]);
    expect(inputsOf('ExecutePowerShell', '\ncommands: [dir]\nfile: C:\\config.ps1')).toEqual([
      "phases[0].steps[0].inputs has both 'commands' and 'file': ExecutePowerShell takes only one of 'commands' or 'file'",
    ]);
    expect(inputsOf('ExecutePowerShell', '{}')).toEqual([
      "phases[0].steps[0].inputs needs 'commands' or 'file': give exactly one of them",
    ]);
  });

  test('every documented input of every action is accepted', () => {
    const steps = [
      '- name: A\n  action: ExecuteBinary\n  inputs: { path: /bin/x, arguments: [a, 1] }',
      '- name: B\n  action: ExecuteDocument\n  inputs:\n    document: s3://b/doc.yaml\n    document-s3-bucket-owner: 123456789012\n    phases: build,validate\n    parameters:\n      - name: p1\n        value: v1',
      '- name: C\n  action: S3Download\n  inputs: [{ source: s3://b/k, destination: /tmp/k, expectedBucketOwner: 123456789012, overwrite: false }]',
      '- name: D\n  action: S3Upload\n  inputs: [{ source: /tmp/*, destination: s3://b/p/, recurse: true, expectedBucketOwner: 123456789012 }]',
      '- name: E\n  action: WebDownload\n  inputs: [{ source: https://x/y, destination: /tmp/, overwrite: true, checksum: abc, algorithm: SHA256, ignoreCertificateErrors: false }]',
      '- name: F\n  action: AppendFile\n  inputs: [{ path: /tmp/a, content: x, encoding: UTF-16 }]',
      '- name: G\n  action: CopyFolder\n  inputs: [{ source: /a, destination: /b, overwrite: false }]',
      "- name: H\n  action: CreateFile\n  inputs: [{ path: /a, content: x, encoding: utf8, owner: root, group: root, permissions: '0644', overwrite: true }]",
      '- name: I\n  action: CreateSymlink\n  inputs: [{ path: /a, target: /b, force: true }]',
      '- name: J\n  action: DeleteFolder\n  inputs: [{ path: /a, force: true }]',
      "- name: K\n  action: ListFiles\n  inputs: [{ path: /a, fileNamePattern: '*log', recursive: true }]",
      '- name: L\n  action: ReadFile\n  inputs: [{ path: /a, encoding: utf-32-BE, printFileContent: true }]',
      '- name: M\n  action: SetFolderOwner\n  inputs: [{ path: /a, owner: root, group: root, recursive: false }]',
      '- name: N\n  action: SetFolderPermissions\n  inputs: [{ path: /a, permissions: 0755, recursive: false }]',
      '- name: O\n  action: Reboot\n  inputs: { delaySeconds: 60 }',
      "- name: P\n  action: UpdateOS\n  inputs: { include: [KB1234567, '*Security*'], exclude: [ec2-hibinit-agent] }",
      "- name: Q\n  action: Assert\n  inputs: { stringEquals: 'a', value: 'a' }",
    ];
    expect(messagesOf(buildSteps(steps.join('\n')), 'Linux')).toEqual([]);
    const windows = [
      "- name: A\n  action: InstallMSI\n  inputs:\n    path: C:\\a.msi\n    reboot: Skip\n    logOptions: '*VX'\n    logFile: C:\\a.log\n"
      + "    properties: { COMPANYNAME: '\"Acme\"' }\n    ignoreAuthenticodeSignatureErrors: false\n    allowUnsignedInstaller: true",
      '- name: B\n  action: UninstallMSI\n  inputs: { path: C:\\a.msi, reboot: Allow }',
      "- name: C\n  action: SetRegistry\n  inputs:\n    - { path: 'HKLM:\\SOFTWARE\\X', name: A, value: Text, type: SZ }\n    - { path: 'HKLM:\\SOFTWARE\\X', name: B, value: 1, type: DWORD }\n"
      + "    - { path: 'HKLM:\\SOFTWARE\\X', name: C, value: [a, b], type: MULTI_SZ }",
    ];
    expect(messagesOf(buildSteps(windows.join('\n')), 'Windows')).toEqual([]);
  });
});

describe('input values', () => {
  test('string lists must be lists', () => {
    expect(inputsOf('ExecuteBash', '\ncommands: echo hi')).toEqual([
      "phases[0].steps[0].inputs.commands must be a list of strings for ExecuteBash, not 'echo hi': put it in a list, for example commands: ['...']",
    ]);
    expect(inputsOf('ExecuteBash', '\ncommands:\n  - [nested]')).toEqual([
      'phases[0].steps[0].inputs.commands[0] must be a string, not a list',
    ]);
  });

  test('strings accept unquoted numbers, which AWSTOE reads as text', () => {
    expect(inputsOf('SetFilePermissions', '\n- path: /a\n  permissions: 0700')).toEqual([]);
    expect(inputsOf('S3Download', '\n- source: [s3://b/k]\n  destination: /tmp/k')).toEqual([
      'phases[0].steps[0].inputs[0].source must be a string, not a list',
    ]);
  });

  test('booleans', () => {
    expect(inputsOf('DeleteFolder', "\n- path: /a\n  force: 'true'")).toEqual([]);
    expect(inputsOf('DeleteFolder', '\n- path: /a\n  force: always')).toEqual([
      "phases[0].steps[0].inputs[0].force must be true or false, not 'always'",
    ]);
  });

  test('whole numbers', () => {
    expect(inputsOf('Reboot', '\ndelaySeconds: 10s')).toEqual([
      "phases[0].steps[0].inputs.delaySeconds must be a whole number, not '10s'",
    ]);
  });

  test('enumerations', () => {
    expect(inputsOf('WebDownload', '\n- source: https://x/y\n  destination: /tmp/y\n  checksum: abc\n  algorithm: sha256')).toEqual([
      "phases[0].steps[0].inputs[0].algorithm 'sha256' is not accepted: use one of 'MD5', 'SHA1', 'SHA256' and 'SHA512'",
    ]);
    expect(inputsOf('InstallMSI', '\npath: a.msi\nreboot: Never')).toEqual([
      "phases[0].steps[0].inputs.reboot 'Never' is not accepted: use one of 'Allow', 'Force' and 'Skip'",
    ]);
    expect(inputsOf('SetRegistry', "\n- { path: 'HKLM:\\X', name: A, value: 1, type: REG_DWORD }")).toEqual([
      "phases[0].steps[0].inputs[0].type 'REG_DWORD' is not accepted: use one of 'BINARY', 'DWORD', 'QWORD', 'SZ', 'EXPAND_SZ' and 'MULTI_SZ'",
    ]);
    expect(inputsOf('AppendFile', '\n- path: /a\n  encoding: latin1')).toEqual([
      expect.stringMatching(/^phases\[0\]\.steps\[0\]\.inputs\[0\]\.encoding 'latin1' is not accepted: use one of 'utf8', .* \(any case\)$/),
    ]);
    // An expression is resolved at run time, so it is not compared with the accepted values.
    expect(inputsOf('InstallMSI', "\npath: a.msi\nreboot: '{{ build.Choose.outputs.stdout }}'")).toEqual([
      "phases[0].steps[0].inputs.reboot uses {{ build.Choose.outputs.stdout }}, but phase 'build' has no step 'Choose'",
    ]);
  });

  test('MSI properties are a map of strings', () => {
    expect(inputsOf('InstallMSI', '\npath: a.msi\nproperties: [A=B]')).toEqual([
      "phases[0].steps[0].inputs.properties must be a map of names to string values, for example properties: { NAME: 'value' }, not a list",
    ]);
    expect(inputsOf('InstallMSI', '\npath: a.msi\nproperties: { A: [b] }')).toEqual([
      'phases[0].steps[0].inputs.properties.A must be a string, not a list',
    ]);
  });

  test('SetRegistry values are strings, numbers or lists of them', () => {
    expect(inputsOf('SetRegistry', "\n- { path: 'HKLM:\\X', name: A, value: { a: b }, type: SZ }")).toEqual([
      'phases[0].steps[0].inputs[0].value must be a string, a number or a list of them for SetRegistry, not a mapping',
    ]);
  });

  test('ExecuteDocument parameters are name/value maps', () => {
    expect(inputsOf('ExecuteDocument', '\ndocument: a.yaml\nparameters: { p1: v1 }')).toEqual([
      'phases[0].steps[0].inputs.parameters must be a list of { name, value } maps, not a mapping',
    ]);
    expect(inputsOf('ExecuteDocument', '\ndocument: a.yaml\nparameters:\n  - name: p1\n  - name: p2\n    value: [x]\n    default: y\n  - p3')).toEqual([
      "phases[0].steps[0].inputs.parameters[0] is missing 'value': each parameter passed to the document needs a name and a value",
      'phases[0].steps[0].inputs.parameters[1].value must be a string, not a list',
      'phases[0].steps[0].inputs.parameters[1].default is not allowed: a parameter passed to the document has only name and value',
      "phases[0].steps[0].inputs.parameters[2] must be a { name, value } map, not 'p3'",
    ]);
  });

  test('Assert needs an operator expression', () => {
    expect(inputsOf('Assert', '{}')).toEqual([
      "phases[0].steps[0].inputs is empty: Assert needs an expression with a comparison or logical operator, for example { stringEquals: 'expected', value: '{{ build.Step.outputs.stdout }}' }",
    ]);
  });

  test('validation reads documents built by code as well as parsed ones', () => {
    expect(validateComponentDocument({
      schemaVersion: '1.0',
      phases: [{ name: 'build', steps: [{ name: 'Get', action: 'S3Download', inputs: [{ source: 's3://b/k', destination: '/tmp/k', overwrite: true }] }] }],
    })).toEqual([]);
  });
});
