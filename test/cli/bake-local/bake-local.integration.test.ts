import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { IS_ROOT, mountsMentioning, NOT_ROOT_REASON, requireCli, runCliProcess, TEST_ROOT_CACHE as CACHE, treeChecksum } from './cli-process';
import { GoldenImage, ParentImage, Provisioner } from '../../../src';
import type { BakeResult } from '../../../src/cli/bake-local/report';
import { synthesiseExampleApp } from '../../quality/example-app';

/*
 * The example's Debian image baked for real: a debootstrap root of Debian 12 (built on the first
 * run, minutes; cached after that under a folder this test owns), the image's build and validate
 * phases, then its test phase with the systemctl stand-in. apt-get reaches Debian's mirror, as it
 * does on an Image Builder instance. Needs root; skipped, saying so, elsewhere.
 */
const suite = IS_ROOT ? describe : describe.skip;
const MINUTES = 60_000;

let work: string;

suite(IS_ROOT ? 'bake-local on a real Debian 12 root' : `bake-local on a real Debian 12 root (${NOT_ROOT_REASON})`, () => {
  beforeAll(() => {
    requireCli();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-integration-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the example\'s Debian image: build, validate and test pass, and the kept root holds what the provisioners made', async () => {
    const example = synthesiseExampleApp();
    const kept = path.join(work, 'kept');
    const run = await runCliProcess(['bake-local', '--app', example.assembly.directory, '--image', 'GoldenWebDebian/WebImage',
      '--test', '--keep', kept, '--cache', CACHE, '--json', '--quiet'], { timeoutMs: 25 * MINUTES });
    if (run.code !== 0) {
      throw new Error(`bake-local exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
    }
    const result = JSON.parse(run.stdout) as BakeResult;
    expect(result.passed).toBe(true);
    expect(result.steps.map(s => `${s.phase} ${s.component}/${s.step} ${s.status}`)).toEqual([
      'build update-os-1/update-os-1 passed',
      'build install-nginx/install-nginx passed',
      'build site/site-download passed',
      'build site/site passed',
      'build harden-ssh/harden-ssh passed',
      'build reboot-1/reboot-1 passed',
      'validate nginx-config/nginx-config passed',
      'validate ssm-agent-enabled/ssm-agent-enabled passed',
      'test serves-site/serves-site passed',
    ]);
    // The validate step ran nginx's own check; the test used the systemctl stand-in and curl over loopback.
    expect(fs.readFileSync(result.steps[6].log!, 'utf-8')).toMatch(/nginx: configuration file \/etc\/nginx\/nginx\.conf test is successful/);
    expect(result.steps[8].notes).toEqual(['systemctl stand-in: start nginx.service']);
    expect(result.steps[5].notes[0]).toMatch(/^emulated restart: \d+ process(es)? stopped, \/run and \/tmp emptied/);
    expect(result.root.description).toMatch(/^Debian 12 \(bookworm, amd64\)/);

    // The kept root is the image: the site with its mode, nginx installed and enabled, nothing of bake-local's.
    expect(result.kept).toBe(kept);
    expect(fs.readFileSync(path.join(kept, 'var/www/html/index.html'), 'utf-8')).toContain('Served from a golden image');
    expect(fs.statSync(path.join(kept, 'var/www/html/index.html')).mode % 0o10000).toBe(0o644);
    expect(fs.existsSync(path.join(kept, 'usr/sbin/nginx'))).toBe(true);
    expect(fs.readlinkSync(path.join(kept, 'etc/systemd/system/multi-user.target.wants/nginx.service'))).toBe('/lib/systemd/system/nginx.service');
    expect(fs.existsSync(path.join(kept, 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(fs.existsSync(path.join(kept, 'run', 'bake-local'))).toBe(false);
    // The recipe keeps the SSM agent: the stand-in bake-local enabled in its place stays, and says what it is.
    expect(fs.readFileSync(path.join(kept, 'etc/systemd/system/amazon-ssm-agent.service'), 'utf-8')).toContain('not the real agent');
    expect(mountsMentioning(CACHE)).toEqual([]);
  }, 30 * MINUTES);

  test('a script that asks for a restart (exit code 194) runs again from where it was downloaded; the restart empties /tmp', async () => {
    const outdir = path.join(work, 'restart.out');
    const script = path.join(work, 'configure.sh');
    fs.writeFileSync(script, [
      '#!/bin/bash',
      'set -e',
      'if [ ! -f /root/restart-asked ]; then touch /root/restart-asked /tmp/before-restart; exit 194; fi',
      'test ! -e /tmp/before-restart',
      'echo "run again after the restart from $0" > /root/after-restart',
      '',
    ].join('\n'));
    const app = new App({ outdir, builtinCloudFormationValidation: false } as never);
    const stack = new Stack(app, 'Restart');
    new GoldenImage(stack, 'Web', {
      parentImage: ParentImage.debian({ release: '12' }),
      buildOnDeploy: false,
      provisioners: [Provisioner.shellScript({ name: 'configure', path: script })],
    });
    app.synth();
    const kept = path.join(work, 'restart-kept');

    const run = await runCliProcess(['bake-local', '--app', outdir, '--image', 'Restart/Web', '--keep', kept, '--cache', CACHE, '--json', '--quiet']);
    if (run.code !== 0) {
      throw new Error(`bake-local exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
    }
    const result = JSON.parse(run.stdout) as BakeResult;
    expect(result.steps.map(s => `${s.component}/${s.step} ${s.status}`).slice(0, 2)).toEqual(['configure/configure-download passed', 'configure/configure passed']);
    expect(result.steps[1].notes).toEqual(['exit code 194: emulated restart, run again (1)']);
    expect(fs.readFileSync(result.steps[1].log!, 'utf-8')).toMatch(/# emulated restart: \d+ process(es)? stopped, \/run and \/tmp emptied/);
    expect(fs.readFileSync(path.join(kept, 'root/after-restart'), 'utf-8')).toMatch(/^run again after the restart from \/var\/tmp\/configure-[0-9a-f]{8}\.sh\n$/);
    // The run step removed the script once it was done, and nothing of the first run is left in /tmp.
    expect(fs.readdirSync(path.join(kept, 'var/tmp')).filter(f => f.startsWith('configure-'))).toEqual([]);
    expect(fs.existsSync(path.join(kept, 'tmp/before-restart'))).toBe(false);
    expect(mountsMentioning(CACHE)).toEqual([]);
  }, 10 * MINUTES);

  test('a broken provisioner fails with the step, the line that shows why and exit code 1; the cached root is untouched', async () => {
    const outdir = path.join(work, 'broken.out');
    const app = new App({ outdir, builtinCloudFormationValidation: false } as never);
    const stack = new Stack(app, 'Broken');
    const image = (id: string, commands: string[]) => new GoldenImage(stack, id, {
      parentImage: ParentImage.debian({ release: '12' }),
      buildOnDeploy: false,
      provisioners: [Provisioner.shell({ name: 'configure', commands })],
    });
    image('Typo', ['echo configuring', 'ngnix -t']);
    image('MissingFile', ['cp /opt/app/app.conf /etc/app.conf']);
    app.synth();
    const root = path.join(CACHE, 'roots', fs.readdirSync(path.join(CACHE, 'roots')).find(name => /^debian-12-bookworm-amd64-[0-9a-f]{12}$/.test(name))!);
    const before = treeChecksum(root);

    const typo = await runCliProcess(['bake-local', '--app', outdir, '--image', 'Broken/Typo', '--cache', CACHE, '--quiet']);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('build / configure / configure failed: exit code 127\n  > /run/bake-local/');
    expect(typo.stdout).toMatch(/ngnix: command not found\n {2}log: .*-build-configure-configure\.log\n/);
    expect(typo.stdout).toContain('validate  ssm-agent-enabled  ssm-agent-enabled  ExecuteBash  not run');
    expect(typo.stderr).toContain('[1/2] build · configure · configure: failed (exit code 127)');

    const missing = await runCliProcess(['bake-local', '--app', outdir, '--image', 'MissingFile', '--cache', CACHE, '--json']);
    expect(missing.code).toBe(1);
    const result = JSON.parse(missing.stdout) as BakeResult;
    expect(result.steps[0]).toMatchObject({ status: 'failed', reason: 'exit code 1', evidence: 'cp: cannot stat \'/opt/app/app.conf\': No such file or directory' });

    expect(treeChecksum(root)).toBe(before);
    expect(mountsMentioning(CACHE)).toEqual([]);
  }, 10 * MINUTES);
});
