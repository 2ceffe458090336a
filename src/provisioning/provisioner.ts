import { AnsiblePlaybook, AnsiblePlaybookProvisionerOptions } from './ansible-playbook';
import { AwsManagedComponent, AwsManagedComponentOptions } from './aws-managed';
import { ChefSolo, ChefSoloProvisionerOptions } from './chef-solo';
import { ExistingComponent, ExistingComponentOptions } from './existing-component';
import { FileProvisionerOptions, FileUpload } from './file-upload';
import { InlinePowerShell, PowerShellProvisionerOptions, PowerShellScript, PowerShellScriptProvisionerOptions } from './powershell';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { PuppetApply, PuppetApplyProvisionerOptions } from './puppet-apply';
import { ComponentDocumentOptions, RawComponentDocument } from './raw-document';
import { RebootProvisionerOptions, RebootStep } from './reboot';
import { InlineShell, ShellProvisionerOptions, ShellScript, ShellScriptProvisionerOptions } from './shell';
import { UpdateOsProvisionerOptions, UpdateOsStep } from './update-os';
import { VagrantGuest, VagrantGuestProvisionerOptions } from './vagrant-guest';

/**
 * One step of an image bake, in Packer's terms, compiled to an EC2 Image Builder component
 * (an AWSTOE document) when the image is synthesised.
 *
 * Where a provisioner runs depends on the list it is given in: `provisioners` (build phase, on
 * the build instance), `validations` (validate phase, same instance, after every build step)
 * or `tests` (test phase, on a fresh instance launched from the new AMI).
 */
export class Provisioner {
  /**
   * Inline shell commands (Packer's `shell` provisioner with `inline`).
   */
  public static shell(options: ShellProvisionerOptions): Provisioner {
    return new Provisioner(new InlineShell(options));
  }

  /**
   * A local shell script, uploaded and run (Packer's `shell` provisioner with `script`).
   */
  public static shellScript(options: ShellScriptProvisionerOptions): Provisioner {
    return new Provisioner(new ShellScript(options));
  }

  /**
   * A local file or folder copied onto the image (Packer's `file` provisioner, with its
   * trailing-slash rule for folders).
   */
  public static file(options: FileProvisionerOptions): Provisioner {
    return new Provisioner(new FileUpload(options));
  }

  /**
   * An Ansible playbook run on the build instance itself (Packer's `ansible-local`).
   */
  public static ansiblePlaybook(options: AnsiblePlaybookProvisionerOptions): Provisioner {
    return new Provisioner(new AnsiblePlaybook(options));
  }

  /**
   * Cookbooks run by Cinc Client (free Chef Infra) in local mode on the build instance (Packer's
   * `chef-solo`). Linux and Windows.
   */
  public static chefSolo(options: ChefSoloProvisionerOptions): Provisioner {
    return new Provisioner(new ChefSolo(options));
  }

  /**
   * A Puppet manifest applied by OpenVox on the build instance (Packer's `puppet-masterless`). Linux only.
   */
  public static puppetApply(options: PuppetApplyProvisionerOptions): Provisioner {
    return new Provisioner(new PuppetApply(options));
  }

  /**
   * Reboots the build instance; the next provisioner runs after it is back (Packer's
   * `windows-restart`, or `shell` with `expect_disconnect`).
   */
  public static reboot(options: RebootProvisionerOptions = {}): Provisioner {
    return new Provisioner(new RebootStep(options));
  }

  /**
   * Installs all available operating system updates (yum/dnf, apt or Windows Update).
   */
  public static updateOs(options: UpdateOsProvisionerOptions = {}): Provisioner {
    return new Provisioner(new UpdateOsStep(options));
  }

  /**
   * Makes the image a guest Vagrant can log into once exported as a VM disk: a `vagrant` user
   * with passwordless sudo and Vagrant's insecure public key (or the key given), sshd enabled,
   * cloud-init told not to wait for EC2's metadata service, and DHCP on the first Ethernet
   * interface whatever its name. Linux only. Use it in a variant image made for export (the
   * web image's parent and steps, or `ParentImage.fromGoldenImage(web)` where web's root is
   * unencrypted, + this + `vmExports`), never in an image a fleet launches: synth refuses
   * that, since anyone holds Vagrant's insecure private key.
   */
  public static vagrantGuest(options: VagrantGuestProvisionerOptions = {}): Provisioner {
    return new Provisioner(new VagrantGuest(options));
  }

  /**
   * Inline PowerShell commands (Packer's `powershell` provisioner with `inline`). Windows only.
   */
  public static powerShell(options: PowerShellProvisionerOptions): Provisioner {
    return new Provisioner(new InlinePowerShell(options));
  }

  /**
   * A local PowerShell script, uploaded and run (Packer's `powershell` with `script`). Windows only.
   */
  public static powerShellScript(options: PowerShellScriptProvisionerOptions): Provisioner {
    return new Provisioner(new PowerShellScript(options));
  }

  /**
   * An Amazon-managed Image Builder component, by name (for example `aws-cli-version-2-linux`).
   * No resource is created.
   */
  public static awsManaged(name: string, options: AwsManagedComponentOptions = {}): Provisioner {
    return new Provisioner(new AwsManagedComponent(name, options));
  }

  /**
   * An existing Image Builder component, by ARN. No resource is created.
   */
  public static fromComponentArn(componentArn: string, options: ExistingComponentOptions): Provisioner {
    return new Provisioner(new ExistingComponent(componentArn, options));
  }

  /**
   * A raw AWSTOE component document, as YAML (or JSON) text: the escape hatch. It is validated
   * at synth time.
   */
  public static fromComponentDocument(document: string, options: ComponentDocumentOptions = {}): Provisioner {
    return new Provisioner(RawComponentDocument.fromText(document, options));
  }

  /**
   * A raw AWSTOE component document, as an object. It is validated at synth time.
   */
  public static fromComponentDocumentObject(document: { [key: string]: any }, options: ComponentDocumentOptions = {}): Provisioner {
    return new Provisioner(RawComponentDocument.fromObject(document, options));
  }

  /**
   * A raw AWSTOE component document read from a local YAML file. It is validated at synth time.
   */
  public static fromComponentDocumentFile(path: string, options: ComponentDocumentOptions = {}): Provisioner {
    return new Provisioner(RawComponentDocument.fromFile(path, options));
  }

  private constructor(private readonly kind: ProvisionerKind) {}

  /**
   * The short name of this kind of provisioner, e.g. `shell`.
   */
  public get kindName(): string {
    return this.kind.kindName;
  }

  /**
   * The user a vagrantGuest() provisioner gives a login key to; undefined for other kinds.
   *
   * @internal
   */
  public get _vagrantGuestUser(): string | undefined {
    // Asked of the kind, so that other kinds do not load vagrant-guest.ts for an instanceof.
    return this.kind.vagrantGuestUser;
  }

  /**
   * Binds the provisioner to an image.
   *
   * @internal
   */
  public _bind(context: ProvisionerBindContext): BoundProvisioner {
    return this.kind.bind(context);
  }
}
