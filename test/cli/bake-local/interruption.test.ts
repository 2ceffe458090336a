import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CLI, IS_ROOT, isRunning, mountsMentioning, NOT_ROOT_REASON, processesMatching, requireCli, runCliProcess, waitFor } from './cli-process';
import { GoldenImage, ParentImage, Provisioner } from '../../../src';

/*
 * Ctrl-C, SIGTERM and SIGKILL of the command line in the middle of a step leave nothing behind:
 * no mount (the sandbox's mounts live in its own mount namespace) and no process (the sandbox is
 * PID 1 of its own PID namespace, under a parent-death signal). The root is a small one made
 * from this machine's bash and sleep, so these tests need no network and no debootstrap.
 */
const suite = IS_ROOT ? describe : describe.skip;

const MARKER = 'sleep 31.4159';

let work: string;
let app: string;
let rootfs: string;

/** A root filesystem of just bash and sleep (and the libraries they load), copied from this machine. */
function miniRoot(dir: string): string {
  for (const sub of ['tmp', 'proc', 'dev', 'sys', 'run', 'etc', 'usr/sbin', 'root']) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\n');
  for (const tool of ['bash', 'sleep', 'cat']) {
    const binary = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf-8' }).trim();
    const files = [binary, ...execFileSync('ldd', [binary], { encoding: 'utf-8' }).split('\n')
      .map(line => /(\/\S+) \(0x/.exec(line)?.[1]).filter((f): f is string => f !== undefined)];
    for (const file of files) {
      fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      fs.copyFileSync(file, path.join(dir, file));
      fs.chmodSync(path.join(dir, file), 0o755);
    }
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    if (!fs.existsSync(path.join(dir, 'bin', tool))) {
      fs.copyFileSync(binary, path.join(dir, 'bin', tool));
      fs.chmodSync(path.join(dir, 'bin', tool), 0o755);
    }
  }
  return dir;
}

suite(IS_ROOT ? 'interrupting bake-local mid-step' : `interrupting bake-local mid-step (${NOT_ROOT_REASON})`, () => {
  beforeAll(() => {
    requireCli();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-interrupt-'));
    rootfs = miniRoot(path.join(work, 'rootfs'));
    app = path.join(work, 'cdk.out');
    const cdkApp = new App({ outdir: app, builtinCloudFormationValidation: false } as never);
    new GoldenImage(new Stack(cdkApp, 'Sleepy'), 'Image', {
      parentImage: ParentImage.fromAmiId('ami-0123456789abcdef0'),
      buildOnDeploy: false,
      provisioners: [Provisioner.shell({ name: 'nap', commands: ['echo napping', MARKER] })],
    });
    cdkApp.synth();
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('%s leaves no mount and no process', async signal => {
    const cache = path.join(work, `cache-${signal}`);
    const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf-8');
    const child = spawn(process.execPath, [CLI, 'bake-local', '--app', app, '--rootfs', rootfs, '--cache', cache, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', chunk => (stderr += chunk));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.on('close', (code, sig) => resolve({ code, signal: sig })));

    // Mid-step: the step's own process is running in the sandbox.
    // Only this command line's own processes count: other bakes may run on the machine meanwhile.
    const pid = child.pid!;
    expect(await waitFor(() => processesMatching(MARKER, pid).length === 1, 30_000)).toBe(true);
    expect(stderr).toContain('[1/2] build · nap · nap ...');
    const sandbox = processesMatching('__bake-local-sandbox', pid);
    expect(sandbox).toHaveLength(2); // unshare and the sandbox's PID 1
    const tree = [...sandbox, ...processesMatching(MARKER, pid)];
    child.kill(signal);
    const exit = await ended;

    // The command line ends by the signal itself (the shell sees 130 for Ctrl-C, 143 for SIGTERM).
    expect(exit.signal).toBe(signal);
    if (signal !== 'SIGKILL') {
      expect(stderr).toContain(`${signal}: stopping bake-local ...`);
      expect(stderr).toContain('stopped: nothing of bake-local is left running or mounted');
    }
    // Once the command line is gone its processes would have new parents: look them up by pid.
    expect(await waitFor(() => tree.every(p => !isRunning(p)), 5000)).toBe(true);
    expect(mountsMentioning(cache)).toEqual([]);
    expect(mountsMentioning('bake-local')).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf-8')).toBe(mountsBefore);
    // The sandbox's mount point is left as it was: an empty folder.
    expect(fs.readdirSync(path.join(cache, 'sandbox'))).toEqual([]);
  }, 120_000);

  test('refuses to run on /, and says why when it is not root', async () => {
    const onSlash = await runCliProcess(['bake-local', '--app', app, '--rootfs', '/', '--cache', path.join(work, 'c')]);
    expect(onSlash.code).toBe(2);
    expect(onSlash.stderr).toBe('cdk-immutable-infra: --rootfs / is this machine\'s own root: bake-local refuses to run on /, which the steps would change; give a separate root filesystem\n');
    const keepSlash = await runCliProcess(['bake-local', '--app', app, '--rootfs', rootfs, '--keep', '/', '--cache', path.join(work, 'c')]);
    expect(keepSlash.stderr).toBe('cdk-immutable-infra: --keep /: refusing to write the image over /; give a new folder\n');

    fs.chmodSync(work, 0o755);
    const asNobody = await new Promise<{ code: number | null; stderr: string }>(resolve => {
      const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, CLI,
        'bake-local', '--app', app, '--rootfs', rootfs, '--cache', path.join(work, 'nobody-cache')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: work } });
      let err = '';
      child.stderr.on('data', chunk => (err += chunk));
      child.on('close', code => resolve({ code, stderr: err }));
    });
    expect(asNobody).toEqual({ code: 2, stderr: 'cdk-immutable-infra: bake-local must run as root: it mounts an overlay and creates namespaces (mount, unshare). Run it with sudo\n' });
  }, 60_000);
});
