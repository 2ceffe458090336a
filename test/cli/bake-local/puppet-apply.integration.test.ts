import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { bakeAndKeep, IS_ROOT, mountsMentioning, NOT_ROOT_REASON, requireCli, TEST_ROOT_CACHE } from './cli-process';
import { GoldenImage, ParentImage, Provisioner } from '../../../src';

/*
 * Provisioner.puppetApply applied for real in a debootstrap root of Debian 12 (the cache the
 * bake-local integration test keeps). The machine reaches Debian's archive only, not Vox
 * Pupuli's repositories, so Puppet comes from Debian's own puppet-agent package (7.23) in an
 * earlier step, and the provisioner runs with installPuppet: false. Debian no longer packages
 * Chef, so chefSolo has no such test. Needs root; skipped, saying so, elsewhere.
 */
const suite = IS_ROOT ? describe : describe.skip;
const MINUTES = 60_000;

suite(IS_ROOT ? 'puppetApply in a real Debian 12 root' : `puppetApply in a real Debian 12 root (${NOT_ROOT_REASON})`, () => {
  test('the manifest is applied with its module, Hiera data and facts; exit code 2 passes; the code is removed', async () => {
    requireCli();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'puppet-integration-'));
    try {
      const outdir = path.join(work, 'app.out');
      const app = new App({ outdir });
      const stack = new Stack(app, 'Puppet');
      new GoldenImage(stack, 'Image', {
        parentImage: ParentImage.debian({ release: '12' }),
        buildOnDeploy: false,
        provisioners: [
          Provisioner.shell({ name: 'debian-puppet', commands: ['apt-get update', 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends puppet-agent unzip'] }),
          Provisioner.puppetApply({
            name: 'motd',
            installPuppet: false,
            modules: path.join(__dirname, '..', '..', 'provisioning', 'fixtures', 'puppet-code'),
            manifest: 'site.pp',
            hieraConfig: 'hiera.yaml',
            facts: { role: 'web' },
          }),
        ],
      });
      app.synth();
      const kept = path.join(work, 'kept');
      const result = await bakeAndKeep(outdir, 'Puppet/Image', kept, 25);
      expect(result.steps.filter(s => s.component === 'motd').map(s => `${s.step} ${s.status}`)).toEqual(['motd-download passed', 'motd passed']);
      const log = fs.readFileSync(result.steps.find(s => s.step === 'motd')!.log!, 'utf-8');
      expect(log).toContain('puppet apply: changes applied');
      expect(fs.readFileSync(path.join(kept, 'etc/motd'), 'utf-8')).toBe('Baked by platform-team for web\n');
      expect(fs.readdirSync(path.join(kept, 'tmp')).filter(name => name.startsWith('motd-'))).toEqual([]);
      expect(mountsMentioning(TEST_ROOT_CACHE)).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 30 * MINUTES);
});
