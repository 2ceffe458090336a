import { Token } from 'aws-cdk-lib';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { BASH, shellQuote } from './script-language';
import { InlineCommands } from './script-steps';
import { StepOptions } from './step-options';
import { invalidProp } from '../private/errors';

/**
 * Options for `Provisioner.vagrantGuest()`: what a disk exported from the image needs so that
 * `vagrant up` can log into it on VirtualBox or VMware.
 */
export interface VagrantGuestProvisionerOptions extends StepOptions {
  /**
   * The user Vagrant logs in as; it gets passwordless sudo.
   *
   * @default 'vagrant'
   */
  readonly user?: string;

  /**
   * The OpenSSH public key (one `authorized_keys` line) the user accepts.
   *
   * @default - Vagrant's well-known insecure public key, which Vagrant replaces with a key of
   * its own on the first `vagrant up` (its default `config.ssh.insert_key`)
   */
  readonly publicKey?: string;
}

/**
 * Vagrant's insecure public key, as published in Vagrant's own source tree:
 * https://github.com/hashicorp/vagrant/blob/main/keys/vagrant.pub
 * Its private half is public too, which is why an image carrying it must never be launched
 * by a fleet (GoldenImage refuses that at synth).
 */
export const VAGRANT_INSECURE_PUBLIC_KEY = 'ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzIw+niNltGEFHzD8+v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoPkcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdOV0IAdx4O7PtixWKn5y2hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL+GPXQ2MWZWFYbAGjyiYJnAmCP3NOTd0jMZEnDkbUvxhMmBYSdETk1rRgm+R4LOzFUGaHqHDLKLX+FIPKcF96hrucXzcWyLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQ== vagrant insecure public key';

/** The provisioner's kind name; GoldenImage looks for it to refuse fleets launching the image. */
export const VAGRANT_GUEST_KIND = 'vagrant-guest';

/** useradd's portable user names (POSIX portable characters, at most 32). */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
/** One authorized_keys line: an OpenSSH key type, base64 key, optional comment. */
const PUBLIC_KEY = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;

/** Where the script writes its files, named so a reader of the image knows who put them there. */
export const VAGRANT_GUEST_FILES = {
  sudoers: '/etc/sudoers.d/90-vagrant-guest',
  cloudInit: '/etc/cloud/cloud.cfg.d/99-vagrant-guest.cfg',
  network: '/etc/systemd/network/80-vagrant-guest-dhcp.network',
};

/**
 * `Provisioner.vagrantGuest()`: a login user with the given key and passwordless sudo, sshd
 * enabled, cloud-init told not to wait for EC2, DHCP on the first Ethernet interface. One bash
 * step, rendered by the inline-shell kind so it is checked like any shell provisioner.
 */
export class VagrantGuest implements ProvisionerKind {
  public readonly kindName = VAGRANT_GUEST_KIND;

  constructor(private readonly options: VagrantGuestProvisionerOptions) {}

  /** The user the image gives a login key to. */
  public get vagrantGuestUser(): string {
    return this.options.user ?? 'vagrant';
  }

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const user = this.vagrantGuestUser;
    const key = this.options.publicKey ?? VAGRANT_INSECURE_PUBLIC_KEY;
    if (Token.isUnresolved(user) || !USER_NAME.test(user)) {
      invalidProp(context.scope, `${context.prop}.user`, user, 'a user name is 1 to 32 lower-case letters, digits, \'_\' and \'-\', starting with a letter or \'_\' (and must be known at synth)',
        'Give a name such as \'vagrant\'');
    }
    if (user === 'root') {
      invalidProp(context.scope, `${context.prop}.user`, user, 'Vagrant would log in as root with a key anyone may hold', 'Leave user out (\'vagrant\') or name an unprivileged user');
    }
    if (Token.isUnresolved(key) || !PUBLIC_KEY.test(key.trim())) {
      invalidProp(context.scope, `${context.prop}.publicKey`, key, 'it is not one OpenSSH public key line (type, base64 key, optional comment), known at synth',
        'Give the contents of a .pub file, for example the output of `ssh-keygen -y -f key`');
    }
    return new InlineCommands(BASH, {
      kindName: VAGRANT_GUEST_KIND,
      factory: 'Provisioner.vagrantGuest',
      instead: 'Vagrant-ready images are Linux only: VM export does not export Windows images either',
    }, {
      name: this.options.name ?? context.defaultName,
      timeout: this.options.timeout,
      maxAttempts: this.options.maxAttempts,
      onFailure: this.options.onFailure,
      commands: vagrantGuestScript(user, key.trim()),
    }).bind(context);
  }
}

/**
 * The script, as root. Facts it relies on:
 * - sudoers drop-ins: sudo reads /etc/sudoers.d (`@includedir`, sudoers(5)); `visudo -c -f`
 *   checks the file before it is put in place, since a broken drop-in breaks sudo entirely.
 * - cloud-init reads `datasource_list` from /etc/cloud/cloud.cfg.d/*.cfg; with `[NoCloud, None]`
 *   it stops probing for EC2's metadata service, which a hypervisor does not have, and falls
 *   back to the None datasource (https://cloudinit.readthedocs.io/en/latest/reference/datasources/nocloud.html,
 *   .../datasources/fallback.html). `network: {config: disabled}` stops it from rewriting the
 *   interface configuration for the NIC names it saw on EC2.
 * - systemd-networkd (part of systemd on Debian, Ubuntu and Amazon Linux) matches interfaces by
 *   type, so DHCP comes up on the first Ethernet NIC whatever the hypervisor names it
 *   (enp0s3 on VirtualBox, ens33 or ens160 on VMware) (systemd.network(5), [Match] Type=).
 *   Which network tool the Debian cloud image itself uses was not verified here; this file is
 *   used whichever it is, and other tools only configure the names they were given.
 * - The password field is set to `*` (no password login) rather than left locked (`!`): sshd
 *   without PAM refuses key logins to locked accounts.
 */
function vagrantGuestScript(user: string, key: string): string[] {
  return [
    `guest_user=${shellQuote(user)}`,
    `guest_key=${shellQuote(key)}`,
    'install_packages() {',
    '  if command -v apt-get >/dev/null 2>&1; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@";',
    '  elif command -v dnf >/dev/null 2>&1; then dnf install -y "$@";',
    '  else yum install -y "$@"; fi',
    '}',
    '[ -x /usr/sbin/sshd ] || install_packages openssh-server',
    'command -v sudo >/dev/null 2>&1 || install_packages sudo',
    'if ! id -u "$guest_user" >/dev/null 2>&1; then useradd --create-home --shell /bin/bash "$guest_user"; fi',
    'usermod -p \'*\' "$guest_user"',
    'guest_home=$(getent passwd "$guest_user" | cut -d: -f6)',
    'guest_group=$(id -gn "$guest_user")',
    'install -d -m 0700 -o "$guest_user" -g "$guest_group" "$guest_home/.ssh"',
    'printf \'%s\\n\' "$guest_key" > "$guest_home/.ssh/authorized_keys"',
    'chown "$guest_user:$guest_group" "$guest_home/.ssh/authorized_keys"',
    'chmod 0600 "$guest_home/.ssh/authorized_keys"',
    'install -d -m 0750 /etc/sudoers.d',
    'sudoers_new=$(mktemp /etc/sudoers.d/.vagrant-guest.XXXXXX)',
    'printf \'%s ALL=(ALL) NOPASSWD: ALL\\nDefaults:%s !requiretty\\n\' "$guest_user" "$guest_user" > "$sudoers_new"',
    'chmod 0440 "$sudoers_new"',
    'visudo -c -q -f "$sudoers_new"',
    `mv -f "$sudoers_new" ${VAGRANT_GUEST_FILES.sudoers}`,
    'install -d -m 0755 /etc/cloud/cloud.cfg.d',
    `printf '%s\\n' '# Written by Provisioner.vagrantGuest: no EC2 metadata service on a hypervisor.' 'datasource_list: [ NoCloud, None ]' 'network: {config: disabled}' > ${VAGRANT_GUEST_FILES.cloudInit}`,
    'install -d -m 0755 /etc/systemd/network',
    `printf '%s\\n' '# Written by Provisioner.vagrantGuest: DHCP on any Ethernet NIC, whatever the hypervisor names it.' '[Match]' 'Type=ether' '' '[Network]' 'DHCP=yes' > ${VAGRANT_GUEST_FILES.network}`,
    'systemctl enable systemd-networkd.service',
    // Debian and Ubuntu name the unit ssh.service, Amazon Linux and RHEL sshd.service.
    'if [ -e /lib/systemd/system/ssh.service ] || [ -e /usr/lib/systemd/system/ssh.service ]; then systemctl enable ssh.service; else systemctl enable sshd.service; fi',
  ];
}
