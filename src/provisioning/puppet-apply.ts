import * as fs from 'fs';
import * as path from 'path';
import { bashExtractLines } from './archive-extraction';
import { bashFetchLines, bashRemoveInstalledLines, checkVersion, StagedFolder, stageFolder } from './config-management';
import { insideFolder, refuseCredentialsInFiles, requireLocalPath } from './local-files';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { BASH, shellQuote, WAIT_FOR_CLOUD_INIT } from './script-language';
import { StepOptions } from './step-options';
import { provisionerName, refuseCredentialVariables, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

// Perforce's change and OpenVox: https://linux.ncsu.edu/news/2025/07/puppet-to-openvox-transition and
// Debian's thread on moving to OpenVox, https://www.mail-archive.com/debian-bugs-dist@lists.debian.org/msg2082423.html.
// --detailed-exitcodes (0 no changes, 2 changes, 4 failures, 6 both): the puppet-apply manual page,
// https://docs.huihoo.com/puppet/man/apply.html. Release packages as OpenVox's users install them:
// apt.voxpupuli.org/openvox8-release-<debian12|ubuntu22.04>.deb, yum.voxpupuli.org/openvox8-release-el-<n>.noarch.rpm.

/**
 * Options for a masterless Puppet run on the build instance (Packer's `puppet-masterless`).
 *
 * Puppet is installed as **OpenVox** (`openvox-agent`), the Vox Pupuli community's build of
 * Puppet, from its repositories (apt.voxpupuli.org, yum.voxpupuli.org): since 2025 Perforce
 * publishes new official Puppet packages only in a private repository under an EULA (free up to
 * 25 nodes), while OpenVox stays Apache-2.0 in public repositories and runs the same manifests
 * and modules with the same `puppet` command.
 */
export interface PuppetApplyProvisionerOptions extends StepOptions {
  /**
   * A local folder uploaded whole and used as the module path (`--modulepath`): modules in
   * subfolders, and the manifest and Hiera files alongside. Text files are checked for
   * credentials at synth.
   */
  readonly modules: string;

  /**
   * The manifest to apply, relative to `modules` (e.g. `site.pp`). It must be inside
   * that folder.
   */
  readonly manifest: string;

  /**
   * A Hiera configuration (`hiera.yaml`, version 5) relative to `modules`, given with
   * `--hiera_config`; its data paths are relative to it, so keep the data in the folder too.
   *
   * @default - Puppet's own (global) Hiera configuration
   */
  readonly hieraConfig?: string;

  /**
   * Facts set for the run as `FACTER_<name>` environment variables (Packer's `facter`). Stored
   * in plain text in the component document: never put secrets here.
   *
   * @default - none
   */
  readonly facts?: { [name: string]: string };

  /**
   * The OpenVox version: a major version (`8`: the newest `openvox-agent` of the openvox8
   * repository), or major.minor.patch to pin one release.
   *
   * @default '8'
   */
  readonly puppetVersion?: string;

  /**
   * Install OpenVox when the image has no `puppet` command.
   *
   * @default true
   */
  readonly installPuppet?: boolean;

  /**
   * Keep the OpenVox agent this provisioner installed (and its repository) on the image. By
   * default they are removed after the run, as are the manifests and modules. Not allowed with
   * `installPuppet: false`.
   *
   * @default false
   */
  readonly keepInstalled?: boolean;
}

/** Fact names FACTER_ variables can carry (Facter reads them lower-cased). */
const FACT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** `Provisioner.puppetApply()`: install OpenVox, download the code, `puppet apply --detailed-exitcodes`. */
export class PuppetApply implements ProvisionerKind {
  public readonly kindName = 'puppet';

  constructor(private readonly options: PuppetApplyProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    if (context.osFamily !== OsFamily.LINUX) {
      // OpenVox publishes Windows MSIs, but without a repository to pin and verify them through;
      // Windows images are better served by Chef (Cinc has a Windows installer) or PowerShell DSC.
      invalidProp(context.scope, context.prop, 'Provisioner.puppetApply', 'the Puppet provisioner installs OpenVox from its Linux package repositories, and the parent image is Windows',
        'Use Provisioner.chefSolo() or Provisioner.powerShell() for Windows images');
    }
    const name = provisionerName(context, this.options);
    const modules = requireLocalPath(context, 'modules', this.options.modules, ['folder']);
    const manifest = this.fileInside(context, 'manifest', this.options.manifest, modules.resolved)!;
    const hieraConfig = this.fileInside(context, 'hieraConfig', this.options.hieraConfig, modules.resolved);
    if (this.options.installPuppet === false && this.options.puppetVersion !== undefined) {
      invalidProp(context.scope, `${context.prop}.puppetVersion`, this.options.puppetVersion, 'puppetVersion picks the OpenVox to install, and installPuppet is false',
        'Remove puppetVersion, or set installPuppet: true');
    }
    if (this.options.installPuppet === false && this.options.keepInstalled !== undefined) {
      invalidProp(context.scope, `${context.prop}.keepInstalled`, this.options.keepInstalled, 'keepInstalled applies to the OpenVox this provisioner installs, and installPuppet is false',
        'Remove keepInstalled: the Puppet an earlier step installed stays on the image');
    }
    const version = checkVersion(context, 'puppetVersion', this.options.puppetVersion ?? '8', '8');
    const facts = this.options.facts ?? {};
    for (const fact of Object.keys(facts)) {
      if (!FACT_NAME.test(fact)) {
        invalidProp(context.scope, `${context.prop}.facts`, fact, 'a fact name holds letters, digits and underscores and starts with a letter',
          'Rename the fact');
      }
    }
    refuseCredentialVariables(context, 'facts', facts);
    refuseCredentialsInFiles(context, 'modules', modules.resolved, this.options.modules.replace(/[\\/]+$/, ''));

    const staged = stageFolder(context, name, 'Code', modules.resolved);
    const settings = stepSettings(context, this.options);
    return {
      name,
      platform: OsFamily.LINUX,
      document: locate => {
        const steps: ToeStep[] = [];
        if (this.options.installPuppet !== false) {
          steps.push({ name: `${name}-install`, action: 'ExecuteBash', ...settings, inputs: { commands: installOpenVox(version, staged) } });
        }
        steps.push({ name: `${name}-download`, action: 'S3Download', ...settings, inputs: [staged.download(locate)] });
        steps.push({ name, action: 'ExecuteBash', ...settings, inputs: { commands: this.runCommands(name, staged, manifest, hieraConfig, facts, version) } });
        return singlePhase(context, steps);
      },
    };
  }

  /** A file inside the modules folder, as a path relative to it (`/`-separated). */
  private fileInside(context: ProvisionerBindContext, prop: 'manifest' | 'hieraConfig', value: string | undefined, folder: string): string | undefined {
    if (value === undefined) {
      if (prop === 'manifest') {
        invalidProp(context.scope, `${context.prop}.manifest`, value, 'a manifest to apply is required', 'Give its path relative to modules, e.g. \'site.pp\'');
      }
      return undefined;
    }
    const relative = path.isAbsolute(value) ? path.relative(folder, value) : value;
    const inside = insideFolder(folder, relative);
    if (!inside) {
      invalidProp(context.scope, `${context.prop}.${prop}`, value, `the file is outside the modules folder ${folder}, and only that folder is uploaded`,
        `Move the file into ${folder} and give its path relative to it`);
    }
    if (!fs.existsSync(inside) || !fs.statSync(inside).isFile()) {
      invalidProp(context.scope, `${context.prop}.${prop}`, value, `no file ${relative} inside ${folder}`, 'Give the path of an existing file relative to modules');
    }
    return path.relative(folder, inside).split(path.sep).join('/');
  }

  private runCommands(name: string, staged: StagedFolder, manifest: string, hieraConfig: string | undefined,
    facts: Record<string, string>, version: string): string[] {
    const { folder, archive } = staged;
    const apply = ['puppet', 'apply', '--detailed-exitcodes', '--color=false', '--modulepath', shellQuote(folder)];
    if (hieraConfig) {
      apply.push('--hiera_config', shellQuote(`${folder}/${hieraConfig}`));
    }
    apply.push(shellQuote(`${folder}/${manifest}`));
    const major = version.split('.')[0];
    return [
      BASH.stopOnError,
      `rm -rf ${shellQuote(folder)}`,
      ...bashExtractLines(archive, folder, `Provisioner.puppetApply '${name}'`),
      // The AIO packages put puppet in /opt/puppetlabs/bin, which login shells add to PATH and AWSTOE's does not.
      'export PATH="/opt/puppetlabs/bin:$PATH"',
      `if ! command -v puppet >/dev/null 2>&1; then echo ${shellQuote(`Provisioner.puppetApply '${name}': puppet is not installed on the instance. Set installPuppet: true, or install Puppet in an earlier provisioner.`)} >&2; exit 1; fi`,
      // Facter reads FACTER_<name> variables as facts (lower-cased names).
      ...Object.keys(facts).sort().map(fact => `export FACTER_${fact}=${shellQuote(facts[fact])}`),
      `cd ${shellQuote(folder)}`,
      // --detailed-exitcodes: 0 no changes, 2 changes, 4 failures, 6 changes and failures (1: the run did not start).
      'set +e',
      apply.join(' '),
      'status=$?',
      'set -e',
      'cd /',
      `rm -rf ${shellQuote(folder)} ${shellQuote(archive)}`,
      ...bashRemoveInstalledLines(staged, this.options.keepInstalled, 'OpenVox agent', ['openvox-agent', `openvox${major}-release`], ['/opt/puppetlabs', '/etc/puppetlabs']),
      'case $status in',
      '  0) echo "puppet apply: no changes" ;;',
      '  2) echo "puppet apply: changes applied" ;;',
      `  *) echo "Provisioner.puppetApply '${name}': puppet apply failed with exit code $status (4: resources failed, 6: changes and failures, 1: the catalog did not compile)" >&2; exit $status ;;`,
      'esac',
    ];
  }
}

/**
 * Installs `openvox-agent` from the Vox Pupuli repositories: the release package for the
 * distribution (`openvox<major>-release-<os><version>`) adds the repository and its signing key,
 * so apt and dnf verify every package after it.
 */
function installOpenVox(version: string, staged: StagedFolder): string[] {
  const major = version.split('.')[0];
  const exact = version.split('.').length === 3 ? version : '';
  const release = `${staged.folder}-release`;
  return [
    BASH.stopOnError,
    'export PATH="/opt/puppetlabs/bin:$PATH"',
    'if command -v puppet >/dev/null 2>&1; then echo "Puppet is already installed: $(puppet --version)"; exit 0; fi',
    WAIT_FOR_CLOUD_INIT,
    '. /etc/os-release',
    'if command -v apt-get >/dev/null 2>&1; then',
    '  case "$ID" in debian) os="debian${VERSION_ID%%.*}" ;; ubuntu) os="ubuntu${VERSION_ID}" ;; *) os="" ;; esac',
    '  if [ -z "$os" ]; then echo "OpenVox publishes apt repositories for Debian and Ubuntu, not for $ID. Install Puppet in an earlier provisioner and set installPuppet: false." >&2; exit 1; fi',
    // The release name is the instance's: it is spliced into the quoted URL as "$os".
    ...indent(bashFetchLines(`https://apt.voxpupuli.org/openvox${major}-release-${OS_SLOT}.deb`, `${release}.deb`, undefined)).map(l => l.replace(OS_SLOT, '\'"$os"\'')),
    `  dpkg -i ${shellQuote(`${release}.deb`)}`,
    '  export DEBIAN_FRONTEND=noninteractive',
    '  apt-get -o DPkg::Lock::Timeout=300 update -y',
    exact
      ? `  pin=$(apt-cache madison openvox-agent | awk '{print $3}' | grep -m 1 '^${exact}-' || true); if [ -z "$pin" ]; then echo 'openvox-agent ${exact} is not in the repository' >&2; exit 1; fi; apt-get -o DPkg::Lock::Timeout=300 install -y "openvox-agent=$pin"`
      : '  apt-get -o DPkg::Lock::Timeout=300 install -y openvox-agent',
    'elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then',
    '  case "$ID" in amzn) os="amazon-${VERSION_ID}" ;; fedora) os="fedora-${VERSION_ID}" ;; *) os="el-${VERSION_ID%%.*}" ;; esac',
    `  rpm -Uvh --replacepkgs "https://yum.voxpupuli.org/openvox${major}-release-$os.noarch.rpm"`,
    `  if command -v dnf >/dev/null 2>&1; then dnf install -y openvox-agent${exact ? `-${exact}` : ''}; else yum install -y openvox-agent${exact ? `-${exact}` : ''}; fi`,
    'else',
    '  echo "No apt-get, dnf or yum to install OpenVox with. Install Puppet in an earlier provisioner and set installPuppet: false." >&2',
    '  exit 1',
    'fi',
    `rm -f ${shellQuote(`${release}.deb`)}`,
    `touch ${shellQuote(staged.installedMarker)}`,
    'puppet --version',
  ];
}

/** Where the instance's OS release goes in a URL quoted at synth. */
const OS_SLOT = '@OS@';

function indent(lines: string[]): string[] {
  return lines.map(line => `  ${line}`);
}
