import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { bakeAndKeep, IS_ROOT, mountsMentioning, NOT_ROOT_REASON, requireCli, TEST_ROOT_CACHE } from './cli-process';
import { GoldenImage, ParentImage, Provisioner } from '../../../src';
import { VAGRANT_GUEST_FILES, VAGRANT_INSECURE_PUBLIC_KEY } from '../../../src/provisioning/vagrant-guest';

/*
 * The Vagrant-ready variant baked for real on a debootstrap root of Debian 12 (the cache the
 * other bake-local integration test owns: built there on a first run). The kept root is what
 * the exported disk would hold: the user, its key, sudoers, sshd enabled, cloud-init's
 * datasource list and the DHCP network file. apt-get reaches Debian's mirror for openssh-server
 * and sudo, which a debootstrap root lacks (Debian's cloud AMIs ship both). Needs root.
 */
const suite = IS_ROOT ? describe : describe.skip;
const MINUTES = 60_000;

suite(IS_ROOT ? 'Provisioner.vagrantGuest baked on a real Debian 12 root' : `Provisioner.vagrantGuest baked on a real Debian 12 root (${NOT_ROOT_REASON})`, () => {
  let work: string;
  beforeAll(() => {
    requireCli();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'vagrant-guest-integration-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the kept root holds the user, its key, passwordless sudo, sshd, the cloud-init datasource list and the DHCP file', async () => {
    const outdir = path.join(work, 'app.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Vagrant');
    new GoldenImage(stack, 'Box', {
      parentImage: ParentImage.debian({ release: '12' }),
      buildOnDeploy: false,
      provisioners: [Provisioner.vagrantGuest()],
      verifySsmAgent: false,
    });
    app.synth();
    const kept = path.join(work, 'kept');
    const result = await bakeAndKeep(outdir, 'Vagrant/Box', kept, 15);
    expect(result.passed).toBe(true);

    const passwd = fs.readFileSync(path.join(kept, 'etc/passwd'), 'utf8').split('\n').find(l => l.startsWith('vagrant:'))!;
    const [, , uid, gid, , home, shell] = passwd.split(':');
    expect([home, shell]).toEqual(['/home/vagrant', '/bin/bash']);
    // '*': no password login, and not locked ('!'), which sshd without PAM would refuse.
    expect(fs.readFileSync(path.join(kept, 'etc/shadow'), 'utf8').split('\n').find(l => l.startsWith('vagrant:'))!.split(':')[1]).toBe('*');

    const keys = path.join(kept, 'home/vagrant/.ssh/authorized_keys');
    expect(fs.readFileSync(keys, 'utf8')).toBe(`${VAGRANT_INSECURE_PUBLIC_KEY}\n`);
    const keysStat = fs.statSync(keys);
    expect([keysStat.mode % 0o1000, keysStat.uid, keysStat.gid]).toEqual([0o600, Number(uid), Number(gid)]);
    expect(fs.statSync(path.dirname(keys)).mode % 0o1000).toBe(0o700);

    const sudoers = path.join(kept, VAGRANT_GUEST_FILES.sudoers);
    expect(fs.readFileSync(sudoers, 'utf8')).toBe('vagrant ALL=(ALL) NOPASSWD: ALL\nDefaults:vagrant !requiretty\n');
    expect(fs.statSync(sudoers).mode % 0o1000).toBe(0o440);
    expect(fs.existsSync(path.join(kept, 'usr/bin/sudo'))).toBe(true);

    expect(fs.existsSync(path.join(kept, 'usr/sbin/sshd'))).toBe(true);
    expect(fs.readlinkSync(path.join(kept, 'etc/systemd/system/multi-user.target.wants/ssh.service'))).toBe('/lib/systemd/system/ssh.service');
    expect(fs.existsSync(path.join(kept, 'etc/systemd/system/multi-user.target.wants/systemd-networkd.service'))).toBe(true);

    expect(fs.readFileSync(path.join(kept, VAGRANT_GUEST_FILES.cloudInit), 'utf8')).toContain('datasource_list: [ NoCloud, None ]\n');
    expect(fs.readFileSync(path.join(kept, VAGRANT_GUEST_FILES.network), 'utf8')).toContain('[Match]\nType=ether\n\n[Network]\nDHCP=yes\n');
    expect(mountsMentioning(TEST_ROOT_CACHE)).toEqual([]);
  }, 20 * MINUTES);
});
