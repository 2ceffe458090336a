import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FolderGuest } from './folder-guest';
import { PlannedComponent } from '../../../src/cli/bake-local/plan';
import { countSteps, DocumentRunner, logName, MAX_RESTARTS_PER_STEP } from '../../../src/cli/bake-local/runner/document-runner';
import { StepPosition, StepReport } from '../../../src/cli/bake-local/runner/step-report';
import { ToeDocument } from '../../../src/provisioning/toe/component-document';
import { parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';

let guest: FolderGuest;
let logDir: string;
let started: StepPosition[];

beforeEach(() => {
  guest = new FolderGuest();
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-logs-'));
  started = [];
});
afterEach(() => {
  guest.dispose();
  fs.rmSync(logDir, { recursive: true, force: true });
});

// Commands run on this machine in the guest folder's /tmp (see FolderGuest): they use relative paths.
function component(label: string, yaml: string, parameters: Record<string, string> = {}): PlannedComponent {
  return { label, name: label, source: `test/${label}`, document: parseComponentDocumentYaml(yaml) as ToeDocument, parameters };
}

async function bake(components: PlannedComponent[], phases: Array<'build' | 'validate' | 'test'> = ['build', 'validate']) {
  const runner = new DocumentRunner({
    guest,
    assets: {},
    workingDirectory: '/tmp',
    logDir,
    events: { stepStarted: p => started.push(p), stepEnded: () => undefined },
  }, { index: 0, total: countSteps(components, phases) });
  return runner.runStage(components, phases);
}

const summary = (steps: readonly StepReport[]) => steps.map(s => `${s.phase}/${s.component}/${s.step}:${s.status}`);

test('Image Builder\'s order: the build phase of every component in recipe order, then every validate phase', async () => {
  const first = component('first', `
schemaVersion: 1.0
phases:
  - name: validate
    steps:
      - { name: check, action: ExecuteBash, inputs: { commands: ['test -f second'] } }
  - name: build
    steps:
      - { name: make, action: ExecuteBash, inputs: { commands: ['touch first'] } }
`);
  const second = component('second', `
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - { name: make, action: CreateFile, inputs: [{ path: /tmp/second, content: x }] }
`);
  const result = await bake([first, second]);
  expect(result.passed).toBe(true);
  expect(summary(result.steps)).toEqual(['build/first/make:passed', 'build/second/make:passed', 'validate/first/check:passed']);
  expect(started.map(p => `${p.index}/${p.total}`)).toEqual(['1/3', '2/3', '3/3']);
  expect(fs.readdirSync(logDir)).toEqual(['1-build-first-make.log', '2-build-second-make.log', '3-validate-first-check.log']);
});

test('parameters (recipe over default), constants, loops and chaining of inputs and outputs', async () => {
  const result = await bake([component('vars', `
schemaVersion: 1.0
parameters:
  - Greeting: { type: string, default: hello }
  - Name: { type: string, default: nobody }
constants:
  - Folder: { type: string, value: /tmp/out }
phases:
  - name: build
    steps:
      - name: who
        action: ExecuteBash
        inputs:
          commands: ['echo "{{ Greeting }}, {{ Name }}"']
      - name: write
        action: CreateFile
        loop:
          name: files
          forEach: [a, b]
        inputs:
          - path: '{{ Folder }}/{{ files.value }}.txt'
            content: '{{ loop.index }}:{{ build.who.outputs.stdout }}'
      - name: count
        action: ExecuteBash
        loop:
          for: { start: 3, end: 1, updateBy: -1 }
        inputs:
          commands: ['echo {{ loop.value }}']
      - name: copy
        action: CopyFile
        inputs:
          - source: '{{ build.write.inputs[0].path }}'
            destination: /tmp/copied.txt
      - name: echo-count
        action: CreateFile
        inputs:
          - path: /tmp/count.txt
            content: '{{ build.count.outputs.stdout }}'
`, { Name: 'Ada' })]);
  expect(summary(result.steps)).toEqual(['build/vars/who:passed', 'build/vars/write:passed', 'build/vars/count:passed', 'build/vars/copy:passed', 'build/vars/echo-count:passed']);
  expect(fs.readFileSync(guest.file('/tmp/out/a.txt'), 'utf-8')).toBe('0:hello, Ada\n');
  expect(fs.readFileSync(guest.file('/tmp/out/b.txt'), 'utf-8')).toBe('1:hello, Ada\n');
  // Each iteration's output, joined with a line break (AWSTOE's consolidation of loop outputs).
  expect(fs.readFileSync(guest.file('/tmp/count.txt'), 'utf-8')).toBe('3\n\n2\n\n1\n');
  // The last iteration's inputs are what chaining reads.
  expect(fs.readFileSync(guest.file('/tmp/copied.txt'), 'utf-8')).toBe('1:hello, Ada\n');
});

test('onFailure: Abort stops the document and the stage, Continue goes on but fails it, Ignore goes on and passes', async () => {
  const doc = (onFailure: string) => component(onFailure.toLowerCase(), `
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - { name: breaks, action: ExecuteBash, onFailure: ${onFailure}, inputs: { commands: ['echo "E: Unable to locate package ngnix" >&2', 'exit 100'] } }
      - { name: after, action: ExecuteBash, inputs: { commands: ['true'] } }
`);
  const ignored = await bake([doc('Ignore')]);
  expect(ignored.passed).toBe(true);
  expect(summary(ignored.steps)).toEqual(['build/ignore/breaks:ignored', 'build/ignore/after:passed']);

  const continued = await bake([doc('Continue'), doc('Abort')]);
  expect(continued.passed).toBe(false);
  expect(summary(continued.steps)).toEqual(['build/continue/breaks:failed', 'build/continue/after:passed', 'build/abort/breaks:not-run', 'build/abort/after:not-run']);

  const aborted = await bake([doc('Abort')]);
  expect(summary(aborted.steps)).toEqual(['build/abort/breaks:failed', 'build/abort/after:not-run']);
  expect(aborted.steps[0]).toMatchObject({ reason: 'exit code 100', exitCode: 100, evidence: 'E: Unable to locate package ngnix' });
  expect(fs.readFileSync(aborted.steps[0].log!, 'utf-8')).toContain('E: Unable to locate package ngnix');
});

test('maxAttempts runs a failing step again; timeoutSeconds fails a step that runs too long', async () => {
  const result = await bake([component('retry', `
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: flaky
        action: ExecuteBash
        maxAttempts: 3
        inputs:
          commands: ['n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $n -ge 1 ]']
      - name: slow
        action: ExecuteBash
        timeoutSeconds: 1
        onFailure: Continue
        inputs:
          commands: ['sleep 20']
`)]);
  expect(result.steps[0]).toMatchObject({ status: 'passed', attempts: 2 });
  expect(result.steps[1]).toMatchObject({ status: 'failed', reason: 'timed out (timeoutSeconds)' });
  expect(result.steps[1].seconds).toBeLessThan(5);
});

test('Reboot restarts and the next step runs; exit code 194 restarts and runs the same step again; a step that never stops asking fails', async () => {
  const result = await bake([component('restarts', `
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - { name: restart, action: Reboot }
      - name: twice
        action: ExecuteBash
        inputs:
          commands: ['if [ ! -f rebooted ]; then touch rebooted; exit 194; fi', 'echo second run']
      - { name: forever, action: ExecuteBash, inputs: { commands: ['exit 194'] } }
`)]);
  expect(result.steps[0]).toMatchObject({ status: 'passed', notes: ['emulated restart: restarted'] });
  expect(result.steps[1]).toMatchObject({ status: 'passed', notes: ['exit code 194: emulated restart, run again (1)'] });
  expect(result.steps[2].status).toBe('failed');
  expect(result.steps[2].reason).toMatch(/^asked for a restart \(exit code 194\) 11 times/);
  expect(guest.restarts).toBe(1 + 1 + MAX_RESTARTS_PER_STEP + 1);
});

test('if: a step runs when its condition holds, is skipped when not, and then/else can abort', async () => {
  fs.writeFileSync(guest.file('/tmp/marker'), '');
  const result = await bake([component('conditions', `
schemaVersion: 1.0
parameters:
  - Flavour: { type: string, default: apt }
phases:
  - name: build
    steps:
      - name: runs
        action: CreateFile
        if: { and: [{ fileExists: /tmp/marker }, { stringEquals: APT, value: '{{ Flavour }}' }] }
        inputs: [{ path: /tmp/ran }]
      - name: skipped
        action: CreateFile
        if: { folderExists: /opt/nowhere }
        inputs: [{ path: /tmp/skipped }]
      - name: stops
        action: CreateFile
        if: { stringEquals: a, value: b, else: Abort }
        inputs: [{ path: /tmp/stopped }]
`)]);
  expect(summary(result.steps)).toEqual(['build/conditions/runs:passed', 'build/conditions/skipped:skipped', 'build/conditions/stops:failed']);
  expect(fs.existsSync(guest.file('/tmp/ran'))).toBe(true);
  expect(fs.existsSync(guest.file('/tmp/skipped'))).toBe(false);
  expect(result.steps[2].reason).toBe('its if condition says Abort');
});

test('log file names sort like the bake and are safe', () => {
  expect(logName({ index: 3, total: 12, phase: 'build', component: 'install nginx', step: 'a/b', action: 'ExecuteBash' })).toBe('03-build-install_nginx-a_b.log');
});
