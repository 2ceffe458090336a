import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FolderGuest } from './folder-guest';
import { StagedAsset } from '../../../src/cli/assembly/cloud-assembly';
import { ActionContext, ActionOutcome } from '../../../src/cli/bake-local/actions/action';
import { emulatorFor, whyNotEmulated } from '../../../src/cli/bake-local/actions/registry';

let guest: FolderGuest;
let logged: string;

beforeEach(() => {
  guest = new FolderGuest();
  logged = '';
});
afterEach(() => guest.dispose());

async function run(action: string, inputs: unknown, extra: Partial<ActionContext> = {}): Promise<ActionOutcome> {
  const emulator = emulatorFor(action);
  if (!emulator) {
    throw new Error(`no emulator for ${action}`);
  }
  return emulator.run({ guest, inputs, workingDirectory: '/tmp', assets: {}, log: text => (logged += text), ...extra });
}

const mode = (guestPath: string) => (fs.statSync(guest.file(guestPath)).mode % 0o10000).toString(8);

describe('ExecuteBash', () => {
  test('runs the commands as one bash script in the working directory, with a clean environment; stdout is the output', async () => {
    process.env.BAKE_LOCAL_LEAK = 'secret';
    const outcome = await run('ExecuteBash', { commands: ['echo "cwd=$(pwd)"', 'x=1', 'echo "x=$x home=$HOME leak=${BAKE_LOCAL_LEAK:-none}"'] });
    delete process.env.BAKE_LOCAL_LEAK;
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs?.stdout).toBe(`cwd=${fs.realpathSync(guest.file('/tmp'))}\nx=1 home=/root leak=none\n`);
    expect(guest.commands[0]).toEqual(['/bin/bash', expect.stringMatching(/^\/run\/bake-local\/step-\d+-\d+\.sh$/)]);
    expect(logged).toContain('--- ExecuteBash script');
    // The script is not left in the guest.
    expect(fs.readdirSync(guest.file('/run/bake-local'))).toEqual([]);
  });

  test('a non-zero exit fails the step with the exit code and the last line of standard error', async () => {
    const outcome = await run('ExecuteBash', { commands: ['set -e', 'echo working', 'ngnix -t'] });
    expect(outcome).toMatchObject({ ok: false, reason: 'exit code 127', exitCode: 127 });
    expect(outcome.evidence).toMatch(/ngnix: (command )?not found/);
  });

  test('exit code 194 asks for a restart and a second run', async () => {
    const outcome = await run('ExecuteBash', { commands: ['exit 194'] });
    expect(outcome).toMatchObject({ ok: true, reboot: 'then-again', exitCode: 194 });
  });

  test('the deadline kills the whole process group', async () => {
    const started = Date.now();
    const outcome = await run('ExecuteBash', { commands: ['sleep 30 & sleep 30'] }, { deadline: Date.now() + 500 });
    expect(outcome).toMatchObject({ ok: false, reason: 'timed out (timeoutSeconds)' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a working directory the image lacks fails clearly', async () => {
    const outcome = await run('ExecuteBash', { commands: ['true'] }, { workingDirectory: '/opt/build' });
    expect(outcome).toMatchObject({ ok: false, reason: 'the working directory /opt/build does not exist on the image' });
  });
});

test('ExecuteBinary runs the file with its arguments, no shell between', async () => {
  fs.writeFileSync(guest.file('/tmp/tool'), '#!/bin/sh\nprintf "%s|" "$@"\n', { mode: 0o755 });
  // FolderGuest maps only /run paths; a binary elsewhere runs by its host path here.
  const outcome = await run('ExecuteBinary', { path: '/tmp/tool', arguments: ['a b', '$HOME'] }, {
    guest: Object.assign(Object.create(guest), { exec: (argv: string[], o: never) => guest.exec([guest.resolve(argv[0]), ...argv.slice(1)], o) }),
  });
  expect(outcome.outputs?.stdout).toBe('a b|$HOME|');
  expect((await run('ExecuteBinary', { path: '/tmp/missing' })).reason).toBe('/tmp/missing: no such file to run');
});

describe('file actions', () => {
  test('CreateFile makes parent folders, writes the content in its encoding, and sets mode and owner', async () => {
    expect((await run('CreateFile', [
      { path: '/etc/app/app.conf', content: 'port=80\n' },
      { path: '/etc/app/utf16.txt', content: 'hé', encoding: 'utf-16' },
      { path: '/etc/app/secret', content: 'x', permissions: '0600', owner: 'www-data' },
    ])).ok).toBe(true);
    expect(fs.readFileSync(guest.file('/etc/app/app.conf'), 'utf-8')).toBe('port=80\n');
    expect(mode('/etc/app/app.conf')).toBe('644');
    expect(mode('/etc/app')).toBe('755');
    expect(fs.readFileSync(guest.file('/etc/app/utf16.txt'))).toEqual(Buffer.from('hé', 'utf16le'));
    expect(mode('/etc/app/secret')).toBe('600');
    expect(fs.statSync(guest.file('/etc/app/secret'))).toMatchObject({ uid: 33, gid: 33 });
    expect((await run('CreateFile', [{ path: '/etc/app/app.conf', content: 'y', overwrite: false }])).reason).toBe('/etc/app/app.conf exists and overwrite is false');
  });

  test('CreateFolder, DeleteFolder (force for a folder with files), DeleteFile with a wildcard', async () => {
    expect((await run('CreateFolder', [{ path: '/opt/app/logs', permissions: '0750', owner: '33', group: 'adm' }])).ok).toBe(true);
    expect(mode('/opt/app/logs')).toBe('750');
    expect(fs.statSync(guest.file('/opt/app/logs'))).toMatchObject({ uid: 33, gid: 4 });
    fs.writeFileSync(guest.file('/opt/app/logs/a.log'), '');
    fs.writeFileSync(guest.file('/opt/app/logs/b.log'), '');
    fs.writeFileSync(guest.file('/opt/app/logs/keep.txt'), '');
    expect((await run('DeleteFolder', [{ path: '/opt/app/logs' }])).reason).toBe('/opt/app/logs is not empty and force is false');
    expect((await run('DeleteFile', [{ path: '/opt/app/logs/*.log' }])).ok).toBe(true);
    expect(fs.readdirSync(guest.file('/opt/app/logs'))).toEqual(['keep.txt']);
    expect((await run('DeleteFile', [{ path: '/opt/app/none.txt' }])).reason).toBe('/opt/app/none.txt: no such file');
    expect((await run('DeleteFolder', [{ path: '/opt/app/logs', force: 'true' }])).ok).toBe(true);
    expect(fs.existsSync(guest.file('/opt/app/logs'))).toBe(false);
  });

  test('CopyFile and MoveFile: a trailing slash keeps the name, folders are created, overwrite false refuses', async () => {
    fs.writeFileSync(guest.file('/tmp/a.txt'), 'A');
    fs.writeFileSync(guest.file('/tmp/b.txt'), 'B');
    expect((await run('CopyFile', [{ source: '/tmp/a.txt', destination: '/srv/copy/' }])).ok).toBe(true);
    expect(fs.readFileSync(guest.file('/srv/copy/a.txt'), 'utf-8')).toBe('A');
    expect((await run('CopyFile', [{ source: '/tmp/*.txt', destination: '/srv/all/' }])).ok).toBe(true);
    expect(fs.readdirSync(guest.file('/srv/all'))).toEqual(['a.txt', 'b.txt']);
    expect((await run('CopyFile', [{ source: '/tmp/b.txt', destination: '/srv/copy/a.txt', overwrite: false }])).reason)
      .toBe('/srv/copy/a.txt exists and overwrite is false');
    expect((await run('MoveFile', [{ source: '/tmp/b.txt', destination: '/srv/renamed.txt' }])).ok).toBe(true);
    expect(fs.existsSync(guest.file('/tmp/b.txt'))).toBe(false);
    expect(fs.readFileSync(guest.file('/srv/renamed.txt'), 'utf-8')).toBe('B');
    expect((await run('CopyFile', [{ source: '/tmp/nothing.txt', destination: '/srv/' }])).reason).toBe('/tmp/nothing.txt: no such file');
  });

  test('CopyFolder and MoveFolder', async () => {
    fs.mkdirSync(guest.file('/tmp/site/css'), { recursive: true });
    fs.writeFileSync(guest.file('/tmp/site/css/a.css'), 'body{}');
    expect((await run('CopyFolder', [{ source: '/tmp/site', destination: '/var/www/' }])).ok).toBe(true);
    expect(fs.readFileSync(guest.file('/var/www/site/css/a.css'), 'utf-8')).toBe('body{}');
    expect((await run('MoveFolder', [{ source: '/tmp/site', destination: '/srv/html' }])).ok).toBe(true);
    expect(fs.existsSync(guest.file('/srv/html/css/a.css'))).toBe(true);
  });

  test('AppendFile, ReadFile (outputs.content), ListFiles (outputs.files), CreateSymlink, SetFileEncoding', async () => {
    fs.writeFileSync(guest.file('/tmp/log.txt'), 'one\n');
    expect((await run('AppendFile', [{ path: '/tmp/log.txt', content: 'two\n' }])).ok).toBe(true);
    expect((await run('ReadFile', [{ path: '/tmp/log.txt' }])).outputs).toEqual({ content: 'one\ntwo\n' });
    expect((await run('AppendFile', [{ path: '/tmp/none.txt', content: 'x' }])).reason).toBe('/tmp/none.txt: no such file to append to');
    expect((await run('ListFiles', [{ path: '/tmp', fileNamePattern: '*.txt' }])).outputs).toEqual({ files: '/tmp/log.txt' });
    expect((await run('CreateSymlink', [{ path: '/usr/local/bin/log', target: '/tmp/log.txt' }])).ok).toBe(true);
    expect(fs.readlinkSync(guest.file('/usr/local/bin/log'))).toBe('/tmp/log.txt');
    expect((await run('CreateSymlink', [{ path: '/usr/local/bin/log', target: '/tmp/log.txt' }])).reason).toBe('/usr/local/bin/log exists and force is false');
    expect((await run('SetFileEncoding', [{ path: '/tmp/log.txt', encoding: 'utf-32-BE' }])).ok).toBe(true);
    expect(fs.readFileSync(guest.file('/tmp/log.txt')).subarray(0, 4)).toEqual(Buffer.from([0, 0, 0, 0x6f]));
  });

  test('paths resolve inside the guest: an absolute link points into the guest, never at the host', async () => {
    fs.mkdirSync(guest.file('/srv/real'), { recursive: true });
    fs.symlinkSync('/srv/real', guest.file('/srv/link'));
    fs.symlinkSync('/etc', guest.file('/tmp/host-etc'));
    expect((await run('CreateFile', [{ path: '/srv/link/index.html', content: 'hi' }])).ok).toBe(true);
    expect(fs.readFileSync(guest.file('/srv/real/index.html'), 'utf-8')).toBe('hi');
    expect((await run('CreateFile', [{ path: '/tmp/host-etc/bake-local-test', content: 'x' }])).ok).toBe(true);
    expect(fs.existsSync(guest.file('/etc/bake-local-test'))).toBe(true);
    expect(fs.existsSync('/etc/bake-local-test')).toBe(false);
    expect((await run('CreateFile', [{ path: '../../../../../../tmp/escape', content: 'x' }])).ok).toBe(true);
    expect(fs.existsSync(guest.file('/tmp/escape'))).toBe(true);
  });
});

describe('permissions and owners', () => {
  beforeEach(() => {
    fs.mkdirSync(guest.file('/var/www/html/css'), { recursive: true });
    fs.writeFileSync(guest.file('/var/www/html/index.html'), '');
    fs.writeFileSync(guest.file('/var/www/html/css/a.css'), '');
  });

  test('SetFilePermissions and SetFolderPermissions (recursive unless told not to)', async () => {
    expect((await run('SetFilePermissions', [{ path: '/var/www/html/index.html', permissions: '0600' }])).ok).toBe(true);
    expect(mode('/var/www/html/index.html')).toBe('600');
    expect((await run('SetFolderPermissions', [{ path: '/var/www/html', permissions: '750', recursive: false }])).ok).toBe(true);
    expect([mode('/var/www/html'), mode('/var/www/html/css/a.css')]).toEqual(['750', '644']);
    expect((await run('SetFolderPermissions', [{ path: '/var/www/html', permissions: '0700' }])).ok).toBe(true);
    expect(mode('/var/www/html/css/a.css')).toBe('700');
    expect((await run('SetFilePermissions', [{ path: '/var/www/html/index.html', permissions: 'rw-r--r--' }])).reason)
      .toBe('permissions \'rw-r--r--\' is not an octal mode such as 0644');
    expect((await run('SetFilePermissions', [{ path: '/nope', permissions: '0644' }])).reason).toBe('/nope: no such file');
  });

  test('SetFileOwner and SetFolderOwner use the image\'s accounts, the owner\'s primary group by default', async () => {
    expect((await run('SetFileOwner', [{ path: '/var/www/html/index.html', owner: 'www-data' }])).ok).toBe(true);
    expect(fs.statSync(guest.file('/var/www/html/index.html'))).toMatchObject({ uid: 33, gid: 33 });
    expect((await run('SetFolderOwner', [{ path: '/var/www/html', owner: 'www-data', group: 'adm' }])).ok).toBe(true);
    expect(fs.statSync(guest.file('/var/www/html/css/a.css'))).toMatchObject({ uid: 33, gid: 4 });
    expect((await run('SetFileOwner', [{ path: '/var/www/html/index.html', owner: 'nginx' }])).reason).toBe('no user \'nginx\' on the image (its /etc/passwd)');
  });
});

describe('S3Download', () => {
  let assembly: string;
  let assets: Record<string, StagedAsset>;
  beforeEach(() => {
    assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-assets-'));
    fs.mkdirSync(path.join(assembly, 'asset.site'));
    fs.writeFileSync(path.join(assembly, 'asset.site', 'index.html'), 'hello');
    fs.chmodSync(path.join(assembly, 'asset.site', 'index.html'), 0o640);
    fs.writeFileSync(path.join(assembly, 'asset.script.sh'), 'echo hi');
    assets = {
      's3://cdk-assets-${AWS::AccountId}-${AWS::Region}/site.zip': { source: path.join(assembly, 'asset.site'), packaging: 'zip' },
      's3://cdk-assets-${AWS::AccountId}-${AWS::Region}/script.sh': { source: path.join(assembly, 'asset.script.sh'), packaging: 'file' },
    };
  });
  afterEach(() => fs.rmSync(assembly, { recursive: true, force: true }));

  test('serves a file asset, and a folder asset as the zip CDK uploads, which unzips with its modes', async () => {
    const outcome = await run('S3Download', [
      { source: 's3://cdk-assets-${AWS::AccountId}-${AWS::Region}/script.sh', destination: '/tmp/run.sh' },
      { source: 's3://cdk-assets-${AWS::AccountId}-${AWS::Region}/site.zip', destination: '/tmp/' },
    ], { assets });
    expect(outcome.ok).toBe(true);
    expect(fs.readFileSync(guest.file('/tmp/run.sh'), 'utf-8')).toBe('echo hi');
    const unpacked = guest.file('/tmp/unpacked');
    execFileSync('unzip', ['-q', guest.file('/tmp/site.zip'), '-d', unpacked]);
    expect(fs.readFileSync(path.join(unpacked, 'index.html'), 'utf-8')).toBe('hello');
    expect((fs.statSync(path.join(unpacked, 'index.html')).mode % 0o1000).toString(8)).toBe('640');
  });

  test('a bucket that is not one of the app\'s assets fails clearly, and so does a missing destination folder', async () => {
    expect((await run('S3Download', [{ source: 's3://my-bucket/app.tar.gz', destination: '/tmp/app.tar.gz' }], { assets })).reason)
      .toBe('S3Download of s3://my-bucket/app.tar.gz: it is not one of this app\'s staged assets; bake-local serves only the assets in the cloud assembly and reads no bucket');
    expect((await run('S3Download', [{ source: 's3://cdk-assets-${AWS::AccountId}-${AWS::Region}/script.sh', destination: '/opt/none/run.sh' }], { assets })).reason)
      .toBe('S3Download to /opt/none/run.sh: the folder /opt/none does not exist (AWSTOE does not create it)');
  });
});

describe('system and logic actions', () => {
  test('Reboot asks for a restart before the next step', async () => {
    expect(await run('Reboot', { delaySeconds: 30 })).toMatchObject({ ok: true, reboot: 'then-next', notes: ['the 30s delay before the restart was not waited out'] });
  });

  test('UpdateOS runs the distribution\'s upgrade as one ExecuteBash script (recorded here, never run on this machine)', async () => {
    const scripts: string[] = [];
    const recording = Object.assign(Object.create(guest), {
      exec: async (argv: string[]) => {
        scripts.push(fs.readFileSync(guest.resolve(argv[1]), 'utf-8'));
        return { exitCode: 0, stdout: '', timedOut: false };
      },
    });
    expect((await run('UpdateOS', { include: ['nginx*'], exclude: ['linux-image*'] }, { guest: recording })).ok).toBe(true);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toContain("apt-mark hold 'linux-image*'");
    expect(scripts[0]).toContain("apt-get install -y --only-upgrade -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold 'nginx*'");
    expect(scripts[0]).toContain("dnf -y upgrade 'nginx*' --exclude='linux-image*'");
  });

  test('Assert evaluates comparison, file and logical operators inside the guest', async () => {
    fs.writeFileSync(guest.file('/tmp/x'), 'abc');
    const sha = crypto.createHash('sha256').update('abc').digest('hex');
    const holds = async (inputs: unknown) => (await run('Assert', inputs)).ok;
    expect(await holds({ stringEquals: 'Hello', value: 'hello' })).toBe(true);
    // "Tests if the number specified for numberGreaterThan is greater than value" (the user guide's wording).
    expect(await holds({ numberGreaterThan: 10, value: '2' })).toBe(true);
    expect(await holds({ numberGreaterThan: 1, value: 2 })).toBe(false);
    expect(await holds({ numberLessThan: 1, value: 'a10' })).toBe(false);
    expect(await holds({ and: [{ fileExists: '/tmp/x' }, { not: { folderExists: '/tmp/x' } }, { fileSHA256Equals: '/tmp/x', value: sha.toUpperCase() }] })).toBe(true);
    expect(await holds({ or: [{ stringIsEmpty: 'a' }, { stringIsWhitespace: '  ' }] })).toBe(true);
    expect(await holds({ patternMatches: '^v\\d+$', value: 'v12' })).toBe(true);
    expect(await holds({ binaryExists: 'no-such-binary-anywhere' })).toBe(false);
    expect((await run('Assert', { stringEquals: 'a', value: 'b' })).reason).toBe('the assertion does not hold: {"stringEquals":"a","value":"b"}');
    expect((await run('Assert', { fileIsTasty: '/tmp/x' })).reason).toMatch(/^the operator 'fileIsTasty' is not one bake-local evaluates/);
  });
});

test('actions bake-local cannot run say why, before anything runs', () => {
  expect(whyNotEmulated('ExecuteBash')).toBeUndefined();
  expect(whyNotEmulated('WebDownload')).toMatch(/^bake-local makes no promise of network access/);
  expect(whyNotEmulated('ExecutePowerShell')).toBe('ExecutePowerShell runs on Windows only');
  expect(whyNotEmulated('S3Upload')).toBe('bake-local has no AWS credentials and writes to no bucket');
  expect(whyNotEmulated('InstallPackage')).toBe('InstallPackage is not an AWSTOE action');
});
