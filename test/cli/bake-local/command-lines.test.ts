import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { updateCommands } from '../../../src/cli/bake-local/actions/system-actions';
import { zipFolder } from '../../../src/cli/bake-local/actions/zip-folder';
import { checkKeep, checkMachine } from '../../../src/cli/bake-local/preflight';
import { CLOUD_IMAGE_PACKAGES, rootRecipeFor } from '../../../src/cli/bake-local/rootfs/parent-root';
import { cacheFolder, debootstrapArguments, removeStalePartials, rootKey } from '../../../src/cli/bake-local/rootfs/root-cache';
import { guestCommand, isolatedCommand, overlayOptions } from '../../../src/cli/bake-local/sandbox/isolation';
import { SYSTEMCTL_SHIM } from '../../../src/cli/bake-local/sandbox/systemctl-shim';

describe('the command lines the runner builds', () => {
  test('the sandbox is PID 1 of new mount and PID namespaces, killed with the command line', () => {
    expect(isolatedCommand(['/usr/bin/node', 'cli.js', '__bake-local-sandbox'])).toEqual([
      'setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--mount', '--pid', '--fork', '--kill-child', '--', '/usr/bin/node', 'cli.js', '__bake-local-sandbox',
    ]);
  });

  test('a step runs chrooted with its working directory; in the test phase inside the phase\'s network namespace', () => {
    expect(guestCommand('/c/sandbox/build/root', '/tmp', ['/bin/bash', '/run/bake-local/step-1.sh'])).toEqual([
      'unshare', '--root=/c/sandbox/build/root', '--wd=/tmp', '--', '/bin/bash', '/run/bake-local/step-1.sh',
    ]);
    expect(guestCommand('/r', '/opt/app', ['/bin/true'], '/proc/7/ns/net')).toEqual([
      'nsenter', '--net=/proc/7/ns/net', '--', 'unshare', '--root=/r', '--wd=/opt/app', '--', '/bin/true',
    ]);
  });

  test('the overlay: the cached root lowest and read-only, the upper layer on the sandbox\'s tmpfs', () => {
    expect(overlayOptions(['/t/build/upper', '/cache/roots/debian'], '/t/test/upper', '/t/test/work'))
      .toBe('lowerdir=/t/build/upper:/cache/roots/debian,upperdir=/t/test/upper,workdir=/t/test/work');
    expect(() => overlayOptions(['/my,cache/root'], '/u', '/w')).toThrow(/cannot have ',', ':' or '\\' in their path; use a cache folder without them \(--cache\)$/);
  });

  test('debootstrap: minbase plus what a cloud image has, from the parent\'s release', () => {
    const debian = rootRecipeFor('ssm:/aws/service/debian/release/12/latest/amd64', 'x64');
    expect(debootstrapArguments(debian, '/staging/root')).toEqual([
      '--variant=minbase', '--arch=amd64', '--include=systemd,sudo,curl,ca-certificates,python3', 'bookworm', '/staging/root', 'http://deb.debian.org/debian',
    ]);
    expect(CLOUD_IMAGE_PACKAGES).toEqual(['systemd', 'sudo', 'curl', 'ca-certificates', 'python3']);
    expect(rootKey(debian)).toMatch(/^debian-12-bookworm-amd64-[0-9a-f]{12}$/);
    const ubuntu = rootRecipeFor('arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:image/ubuntu-server-24-lts-x86/x.x.x', 'x64');
    expect(debootstrapArguments(ubuntu, '/s')).toEqual([
      '--variant=minbase', '--arch=amd64', '--include=systemd,sudo,curl,ca-certificates,python3', '--keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg',
      'noble', '/s', 'http://archive.ubuntu.com/ubuntu', '/usr/share/debootstrap/scripts/gutsy',
    ]);
  });

  test('a container recipe\'s Debian or Ubuntu parent, by Docker Hub or ECR Public reference, on the host\'s architecture', () => {
    for (const reference of ['debian:bookworm', 'debian:12-slim', 'library/debian:bookworm-slim', 'public.ecr.aws/docker/library/debian:bookworm']) {
      expect(rootRecipeFor(reference, 'x64')).toMatchObject({ distribution: 'debian', release: '12', codename: 'bookworm', architecture: 'amd64' });
    }
    expect(rootRecipeFor('debian:bookworm', 'arm64')).toMatchObject({ codename: 'bookworm', architecture: 'arm64' });
    expect(rootRecipeFor('ubuntu:24.04', 'x64')).toMatchObject({ distribution: 'ubuntu', codename: 'noble', architecture: 'amd64' });
    expect(rootRecipeFor('ubuntu:noble', 'x64')).toMatchObject({ release: '24.04' });
    expect(() => rootRecipeFor('alpine:3.20', 'x64')).toThrow(/^the parent image 'alpine:3\.20' cannot be built here.*Pass --rootfs DIR/);
    expect(() => rootRecipeFor('debian:sid', 'x64')).toThrow(/^the parent image 'debian:sid' cannot be built here/);
  });

  test('a parent debootstrap cannot make, or of another architecture, says to pass --rootfs', () => {
    expect(() => rootRecipeFor('arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:image/amazon-linux-2023-x86/x.x.x', 'x64'))
      .toThrow('the parent image Amazon Linux 2023 (x86_64) cannot be built here: bake-local builds Debian and Ubuntu roots with debootstrap. Pass --rootfs DIR with a prepared root filesystem of the parent\'s distribution');
    expect(() => rootRecipeFor('ami-0123456789abcdef0', 'x64')).toThrow(/^the parent image 'ami-0123456789abcdef0' cannot be built here/);
    expect(() => rootRecipeFor('ssm:/aws/service/debian/release/12/latest/arm64', 'x64'))
      .toThrow('the parent image Debian 12 (bookworm, arm64) is arm64 and this machine is amd64: bake on a arm64 machine, or pass --rootfs DIR with a amd64 root');
  });

  test('UpdateOS: apt-get, dnf or yum, whichever the image has', () => {
    expect(updateCommands([], [])).toEqual(expect.arrayContaining([
      '  apt-get update', '  apt-get upgrade -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold', '  dnf -y upgrade ', '  yum -y update ',
    ]));
  });
});

describe('the cache', () => {
  test('--cache wins, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheFolder('/x/cache')).toBe('/x/cache');
    expect(cacheFolder(undefined, { XDG_CACHE_HOME: '/xdg', HOME: '/home/a' })).toBe('/xdg/cdk-immutable-infra/bake-local');
    expect(cacheFolder(undefined, { HOME: '/home/a' })).toBe('/home/a/.cache/cdk-immutable-infra/bake-local');
  });

  test('what an interrupted run left half-written is removed when its process is gone, not while it lives', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-stale-'));
    fs.mkdirSync(path.join(dir, '.partial-debian-12-x-999999999'));
    fs.mkdirSync(path.join(dir, `.partial-debian-12-x-${process.pid}`));
    fs.mkdirSync(path.join(dir, '.bake-local-keep-web-999999998'));
    fs.mkdirSync(path.join(dir, 'users-own.partial-999999997'));
    expect(removeStalePartials(dir)).toEqual(['.partial-debian-12-x-999999999']);
    expect(removeStalePartials(dir, '.bake-local-keep-')).toEqual(['.bake-local-keep-web-999999998']);
    expect(fs.readdirSync(dir).sort()).toEqual([`.partial-debian-12-x-${process.pid}`, 'users-own.partial-999999997']);
    fs.rmSync(dir, { recursive: true });
  });
});

test('a folder asset is zipped as CDK uploads it: unzip reads the files and their modes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-zip-'));
  fs.mkdirSync(path.join(dir, 'site', 'js'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'site', 'index.html'), '<h1>hi</h1>'.repeat(100));
  fs.writeFileSync(path.join(dir, 'site', 'js', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'site.zip'), zipFolder(path.join(dir, 'site')));
  execFileSync('unzip', ['-q', path.join(dir, 'site.zip'), '-d', path.join(dir, 'out')]);
  expect(fs.readFileSync(path.join(dir, 'out', 'index.html'), 'utf-8')).toBe('<h1>hi</h1>'.repeat(100));
  expect(fs.statSync(path.join(dir, 'out', 'js', 'run.sh')).mode % 0o1000).toBe(0o755);
  expect(execFileSync('unzip', ['-Z1', path.join(dir, 'site.zip')], { encoding: 'utf-8' }).trim().split('\n')).toEqual(['index.html', 'js/run.sh']);
  fs.rmSync(dir, { recursive: true });
});

test('the systemctl stand-in is a valid bash script', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-shim-')), 'systemctl');
  fs.writeFileSync(file, SYSTEMCTL_SHIM);
  expect(() => execFileSync('bash', ['-n', file], { stdio: 'pipe' })).not.toThrow();
  expect(SYSTEMCTL_SHIM.startsWith('#!/bin/bash\n')).toBe(true);
  fs.rmSync(path.dirname(file), { recursive: true });
});

describe('the machine check says what is missing and how to get it', () => {
  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot('unshare, setpriv and the rest not on PATH: name them and their package', () => {
    expect(() => checkMachine({ test: true, debootstrap: false, env: { PATH: '/nonexistent' } }))
      .toThrow('bake-local needs unshare, setpriv, nsenter, mount, umount, cp, not found on PATH: install util-linux mount coreutils (apt-get install -y util-linux mount coreutils)');
  });
  asRoot('Ubuntu\'s keyring, which a Debian machine does not have', () => {
    expect(() => checkMachine({ test: false, debootstrap: true, keyring: '/nonexistent/ubuntu-archive-keyring.gpg' }))
      .toThrow('building this root needs the archive keyring /nonexistent/ubuntu-archive-keyring.gpg (package ubuntu-keyring on Ubuntu; Debian has none): install it, or pass --rootfs DIR with a prepared root');
  });
  test('--keep must be new or empty, and never /', () => {
    expect(() => checkKeep('/')).toThrow('--keep /: refusing to write the image over /; give a new folder');
    expect(() => checkKeep(__dirname)).toThrow(`--keep ${__dirname} exists and is not an empty folder: give a new folder, or remove it first`);
    expect(() => checkKeep('/nonexistent/a/b')).toThrow('--keep /nonexistent/a/b: its parent folder /nonexistent/a does not exist');
    expect(checkKeep(path.join(os.tmpdir(), 'bake-local-new-keep'))).toBe(path.join(os.tmpdir(), 'bake-local-new-keep'));
  });
});
