import { spawnSync } from 'child_process';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { commandsOf, kindTestBed, onlyPhaseSteps, PLACEHOLDER, validationErrors } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { GoldenImage } from '../../src/image/golden-image';
import { ParentImage } from '../../src/image/parent-image';
import { Provisioner } from '../../src/provisioning/provisioner';
import { VAGRANT_GUEST_FILES, VAGRANT_INSECURE_PUBLIC_KEY, VagrantGuest } from '../../src/provisioning/vagrant-guest';
import { baseProps, newStack } from '../deployment/deployment-fixtures';
import { errorOf } from '../support/stacks';

describe('Provisioner.vagrantGuest renders one bash step', () => {
  test('the library\'s AWSTOE validator accepts the document, named after the kind by default', () => {
    const bed = kindTestBed({ defaultName: 'vagrant-guest-1' });
    const document = new VagrantGuest({}).bind(bed.context).document!(PLACEHOLDER);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
    const steps = onlyPhaseSteps(document);
    expect(steps.map(s => [s.name, s.action])).toEqual([['vagrant-guest-1', 'ExecuteBash']]);
  });

  test('the default user is vagrant with Vagrant\'s insecure public key', () => {
    const commands = commandsOf(onlyPhaseSteps(new VagrantGuest({}).bind(kindTestBed().context).document!(PLACEHOLDER))[0]);
    expect(commands).toContain('guest_user=\'vagrant\'');
    expect(commands).toContain(`guest_key='${VAGRANT_INSECURE_PUBLIC_KEY}'`);
    // The key as Vagrant publishes it (keys/vagrant.pub), its comment aside.
    expect(VAGRANT_INSECURE_PUBLIC_KEY).toMatch(/^ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr\+kz4TjGYe7gHzIw\+niNltGEFHzD8\+v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoPkcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdOV0IAdx4O7PtixWKn5y2hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL\+GPXQ2MWZWFYbAGjyiYJnAmCP3NOTd0jMZEnDkbUvxhMmBYSdETk1rRgm\+R4LOzFUGaHqHDLKLX\+FIPKcF96hrucXzcWyLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQ== /);
  });

  test('a given user and key reach bash intact, quotes and all', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0 it\'s "me" $HOME';
    const commands = commandsOf(onlyPhaseSteps(new VagrantGuest({ user: 'dev', publicKey: key }).bind(kindTestBed().context).document!(PLACEHOLDER))[0]);
    const assignments = commands.filter(c => /^guest_(user|key)=/.test(c));
    expect(assignments).toHaveLength(2);
    const run = spawnSync('bash', ['-c', [...assignments, 'printf \'%s|%s\' "$guest_user" "$guest_key"'].join('\n')], { encoding: 'utf8' });
    expect(run.stdout).toBe(`dev|${key}`);
  });

  test('the script writes the sudoers drop-in through visudo, the cloud-init datasource list and a networkd file matching any Ethernet NIC', () => {
    const script = commandsOf(onlyPhaseSteps(new VagrantGuest({}).bind(kindTestBed().context).document!(PLACEHOLDER))[0]).join('\n');
    expect(script).toContain('visudo -c -q -f "$sudoers_new"');
    expect(script).toContain(`mv -f "$sudoers_new" ${VAGRANT_GUEST_FILES.sudoers}`);
    expect(script).toContain('\'datasource_list: [ NoCloud, None ]\'');
    expect(script).toContain(`> ${VAGRANT_GUEST_FILES.cloudInit}`);
    expect(script).toContain('\'[Match]\' \'Type=ether\' \'\' \'[Network]\' \'DHCP=yes\'');
    expect(script).toContain('systemctl enable systemd-networkd.service');
  });

  test.each([
    [{ user: 'Root User' }, 'user', 'a user name is 1 to 32'],
    [{ user: 'root' }, 'user', 'Vagrant would log in as root'],
    [{ publicKey: 'not a key' }, 'publicKey', 'it is not one OpenSSH public key line'],
    [{ publicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }, 'publicKey', 'it is not one OpenSSH public key line'],
    [{ publicKey: 'ssh-rsa AAAA\nssh-rsa BBBB' }, 'publicKey', 'it is not one OpenSSH public key line'],
  ])('%j is refused with the path, prop and fix', (options, prop, problem) => {
    const message = errorOf(() => new VagrantGuest(options).bind(kindTestBed().context));
    expect(message).toMatch(new RegExp(`^KindTest/Image: invalid provisioners\\[0\\]\\.${prop} `));
    expect(message).toContain(problem);
  });

  test('Windows is refused', () => {
    const message = errorOf(() => new VagrantGuest({}).bind(kindTestBed({ osFamily: OsFamily.WINDOWS }).context));
    expect(message).toMatch(/^KindTest\/Image: invalid provisioners\[0\] 'Provisioner\.vagrantGuest': .*Vagrant-ready images are Linux only/);
  });
});

describe('an image that carries vagrantGuest() is never launched by a fleet', () => {
  function images() {
    const { stack, vpc } = newStack();
    const web = new GoldenImage(stack, 'Web', { parentImage: ParentImage.amazonLinux2023(), provisioners: [Provisioner.updateOs()], vpc });
    const vagrant = new GoldenImage(stack, 'Vagrant', {
      parentImage: ParentImage.fromGoldenImage(web),
      provisioners: [Provisioner.vagrantGuest({ user: 'dev' })],
      vpc,
    });
    return { stack, vpc, web, vagrant };
  }

  test('the image records the user; the golden image it cascades from does not', () => {
    const { web, vagrant } = images();
    expect(vagrant.vagrantGuestUser).toBe('dev');
    expect(web.vagrantGuestUser).toBeUndefined();
  });

  test.each([
    ['given directly', (image: GoldenImage) => image, 'GoldenImage Stack/Vagrant'],
    ['through DeploymentImage.fromGoldenImage', (image: GoldenImage) => DeploymentImage.fromGoldenImage(image), 'DeploymentImage.fromGoldenImage(Stack/Vagrant)'],
  ])('%s: refused with the reason and the variant-image fix', (_how, wrap, described) => {
    const { stack, vpc, vagrant } = images();
    const message = errorOf(() => new ImmutableDeployment(stack, 'Fleet', baseProps(vpc, { image: wrap(vagrant), instanceType: new ec2.InstanceType('t3.small') })));
    expect(message).toContain(`Stack/Fleet: invalid image '${described}': the image gives user 'dev' an SSH login`);
    expect(message).toContain('provisioners: [...webSteps, Provisioner.vagrantGuest()], rootVolume: { encrypted: false }, vmExports: [...]');
    expect(message).toContain('ParentImage.fromGoldenImage(web) instead of the parent where web\'s root is unencrypted');
  });

  test('an image cascading from the Vagrant variant carries the key too and is refused', () => {
    const { stack, vpc, vagrant } = images();
    const child = new GoldenImage(stack, 'Child', { parentImage: ParentImage.fromGoldenImage(vagrant), provisioners: [Provisioner.updateOs()], vpc });
    expect(child.vagrantGuestUser).toBe('dev');
    expect(errorOf(() => new ImmutableDeployment(stack, 'Fleet', baseProps(vpc, { image: child })))).toContain('an SSH login');
  });

  test('the golden image the variant cascades from deploys', () => {
    const { stack, vpc, web } = images();
    expect(() => new ImmutableDeployment(stack, 'Fleet', baseProps(vpc, { image: web }))).not.toThrow();
  });
});
