import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { bashExtractLines } from './archive-extraction';
import { grantAssetRead } from './asset-access';
import { insideFolder, refuseCredentialsInFiles, requireLocalPath } from './local-files';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { BASH, shellQuote, WAIT_FOR_CLOUD_INIT } from './script-language';
import { StepOptions } from './step-options';
import { provisionerName, refuseCredentialVariables, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/**
 * Options for an Ansible playbook run on the build instance (Packer's `ansible-local`).
 */
export interface AnsiblePlaybookProvisionerOptions extends StepOptions {
  /**
   * A local playbook file, or a folder holding the playbook with what it uses (roles,
   * group_vars, templates, files...). A folder is uploaded whole. Text files are checked for
   * credentials at synth time.
   */
  readonly playbook: string;

  /**
   * The playbook to run inside the `playbook` folder, relative to it. Only for a folder.
   *
   * @default 'playbook.yml'
   */
  readonly playbookFile?: string;

  /**
   * Variables passed with `--extra-vars` (highest precedence). Stored in plain text in the
   * component document: never put secrets here.
   *
   * @default - none
   */
  readonly extraVars?: { [name: string]: string };

  /**
   * An Ansible Galaxy requirements file (roles and collections) installed with
   * `ansible-galaxy install -r` before the run: a path inside the `playbook` folder, or a
   * local file. The roles and collections are installed next to the playbook and removed
   * with it.
   *
   * @default - none
   */
  readonly galaxyRequirements?: string;

  /**
   * Install Ansible when the image does not have it: the distribution's package (dnf, yum /
   * amazon-linux-extras, apt-get), else `ansible-core` from PyPI in a virtual environment.
   * With false, the image must already have `ansible-playbook`.
   *
   * @default true
   */
  readonly installAnsible?: boolean;
}

/** Where the galaxy requirements come from: inside the uploaded folder, or a file of their own. */
type Requirements = { readonly inFolder: string } | { readonly file: string };

/** Extra-vars names Ansible accepts as variables. */
const ANSIBLE_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Installs Ansible on the distributions Image Builder builds from. Each branch may fail (no
 * such package in the enabled repositories); the check at the end decides.
 */
const INSTALL_ANSIBLE = [
  BASH.stopOnError,
  'if command -v ansible-playbook >/dev/null 2>&1; then echo "Ansible is already installed: $(ansible-playbook --version | head -n 1)"; exit 0; fi',
  WAIT_FOR_CLOUD_INIT,
  'if command -v dnf >/dev/null 2>&1; then',
  '  dnf install -y ansible || dnf install -y ansible-core || true',
  'elif command -v amazon-linux-extras >/dev/null 2>&1; then',
  '  amazon-linux-extras install -y ansible2 || yum install -y ansible || true',
  'elif command -v yum >/dev/null 2>&1; then',
  '  yum install -y ansible || true',
  'elif command -v apt-get >/dev/null 2>&1; then',
  '  export DEBIAN_FRONTEND=noninteractive',
  '  apt-get -o DPkg::Lock::Timeout=300 update -y && apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends ansible || true',
  'fi',
  'if ! command -v ansible-playbook >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then',
  '  echo "No Ansible package found: installing ansible-core from PyPI into /opt/ansible"',
  '  ( python3 -m venv /opt/ansible && /opt/ansible/bin/python -m pip install --upgrade pip && /opt/ansible/bin/python -m pip install ansible-core ) || true',
  '  if [ -x /opt/ansible/bin/ansible-playbook ]; then ln -sf /opt/ansible/bin/ansible /opt/ansible/bin/ansible-playbook /opt/ansible/bin/ansible-galaxy /usr/local/bin/; fi',
  'fi',
  'if ! command -v ansible-playbook >/dev/null 2>&1; then',
  '  echo "Could not install Ansible with dnf, yum, apt-get or pip. Install it in an earlier provisioner and set installAnsible: false." >&2',
  '  exit 1',
  'fi',
  'ansible-playbook --version | head -n 1',
];

/** `Provisioner.ansiblePlaybook()`: install Ansible, download the playbook, run it against localhost. */
export class AnsiblePlaybook implements ProvisionerKind {
  public readonly kindName = 'ansible';

  constructor(private readonly options: AnsiblePlaybookProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    if (context.osFamily !== OsFamily.LINUX) {
      invalidProp(context.scope, context.prop, 'Provisioner.ansiblePlaybook', 'the Ansible provisioner runs Ansible on the build instance, which needs Linux, and the parent image is Windows',
        'Use Provisioner.powerShell() or Provisioner.powerShellScript() for Windows images');
    }
    const name = provisionerName(context, this.options);
    const playbook = requireLocalPath(context, 'playbook', this.options.playbook, ['file', 'folder']);
    const playbookFile = this.checkPlaybookFile(context, playbook);
    const requirements = this.checkRequirements(context, playbook);
    const extraVars = this.options.extraVars ?? {};
    for (const key of Object.keys(extraVars)) {
      if (!ANSIBLE_VARIABLE.test(key)) {
        invalidProp(context.scope, `${context.prop}.extraVars`, key, 'an Ansible variable name holds letters, digits and underscores and does not start with a digit',
          'Rename the variable');
      }
    }
    refuseCredentialVariables(context, 'extraVars', extraVars);
    refuseCredentialsInFiles(context, 'playbook', playbook.resolved, this.options.playbook.replace(/[\\/]+$/, ''));

    const playbookAsset = new s3assets.Asset(context.scope, `${name}Playbook`, { path: playbook.resolved });
    grantAssetRead(playbookAsset, context.assetReader);
    let requirementsAsset: s3assets.Asset | undefined;
    if (requirements && 'file' in requirements) {
      refuseCredentialsInFiles(context, 'galaxyRequirements', requirements.file, this.options.galaxyRequirements!);
      requirementsAsset = new s3assets.Asset(context.scope, `${name}Requirements`, { path: requirements.file });
      grantAssetRead(requirementsAsset, context.assetReader);
    }

    const stem = `${name}-${playbookAsset.assetHash.slice(0, 8)}`;
    const folder = path.posix.join(context.workingDirectory, stem);
    const download = playbook.kind === 'folder'
      ? path.posix.join(context.workingDirectory, `${stem}.zip`)
      : path.posix.join(folder, path.basename(playbook.resolved));
    const requirementsTarget = requirementsAsset
      ? path.posix.join(context.workingDirectory, `${stem}-requirements${path.extname(requirements && 'file' in requirements ? requirements.file : '') || '.yml'}`)
      : undefined;
    const settings = stepSettings(context, this.options);
    const run = this.runCommands(name, folder, playbook.kind === 'folder' ? download : undefined,
      playbook.kind === 'folder' ? playbookFile! : path.basename(playbook.resolved), requirements, requirementsTarget, extraVars);

    return {
      name,
      platform: OsFamily.LINUX,
      document: locate => {
        const steps: ToeStep[] = [];
        if (this.options.installAnsible !== false) {
          steps.push({ name: `${name}-install`, action: 'ExecuteBash', ...settings, inputs: { commands: INSTALL_ANSIBLE } });
        }
        if (playbook.kind === 'file') {
          // S3Download needs the destination's folder to exist.
          steps.push({ name: `${name}-folder`, action: 'ExecuteBash', ...settings, inputs: { commands: [BASH.stopOnError, `rm -rf ${shellQuote(folder)}`, `mkdir -p ${shellQuote(folder)}`] } });
        }
        const downloads = [{ source: locate(playbookAsset), destination: download, overwrite: true }];
        if (requirementsAsset) {
          downloads.push({ source: locate(requirementsAsset), destination: requirementsTarget!, overwrite: true });
        }
        steps.push({ name: `${name}-download`, action: 'S3Download', ...settings, inputs: downloads });
        steps.push({ name, action: 'ExecuteBash', ...settings, inputs: { commands: run } });
        return singlePhase(context, steps);
      },
    };
  }

  private runCommands(name: string, folder: string, archive: string | undefined, playbookFile: string, requirements: Requirements | undefined,
    requirementsTarget: string | undefined, extraVars: Record<string, string>): string[] {
    const requirementsPath = requirements === undefined ? undefined : 'inFolder' in requirements ? requirements.inFolder : requirementsTarget!;
    const sortedVars: Record<string, string> = {};
    for (const key of Object.keys(extraVars).sort()) {
      sortedVars[key] = extraVars[key];
    }
    const play = ['ansible-playbook', '-c', 'local', '-i', shellQuote('localhost,'), shellQuote(playbookFile)];
    if (Object.keys(sortedVars).length > 0) {
      play.push('--extra-vars', shellQuote(JSON.stringify(sortedVars)));
    }
    return [
      BASH.stopOnError,
      ...(archive ? [`rm -rf ${shellQuote(folder)}`, ...bashExtractLines(archive, folder, `Provisioner.ansiblePlaybook '${name}'`)] : []),
      `if ! command -v ansible-playbook >/dev/null 2>&1; then echo ${shellQuote(`Provisioner.ansiblePlaybook '${name}': ansible-playbook is not installed on the instance. Set installAnsible: true, or install Ansible in an earlier provisioner.`)} >&2; exit 1; fi`,
      // Ansible 2.14+ refuses to run without a UTF-8 locale, and SSM sessions often have none.
      'export LANG=C.UTF-8 LC_ALL=C.UTF-8 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 PYTHONUNBUFFERED=1',
      // Galaxy content goes next to the playbook, so it leaves the image with it.
      `export ANSIBLE_ROLES_PATH=${shellQuote(`${folder}/.galaxy/roles`)} ANSIBLE_COLLECTIONS_PATH=${shellQuote(`${folder}/.galaxy/collections`)} ANSIBLE_COLLECTIONS_PATHS=${shellQuote(`${folder}/.galaxy/collections`)}`,
      `cd ${shellQuote(folder)}`,
      ...(requirementsPath ? [`ansible-galaxy install -r ${shellQuote(requirementsPath)}`] : []),
      play.join(' '),
      'cd /',
      `rm -rf ${shellQuote(folder)}${archive ? ' ' + shellQuote(archive) : ''}${requirementsTarget ? ' ' + shellQuote(requirementsTarget) : ''}`,
    ];
  }

  private checkPlaybookFile(context: ProvisionerBindContext, playbook: { resolved: string; kind: string }): string | undefined {
    const given = this.options.playbookFile;
    if (playbook.kind === 'file') {
      if (given !== undefined) {
        invalidProp(context.scope, `${context.prop}.playbookFile`, given, 'playbookFile picks a playbook inside a folder, and playbook is a file',
          'Remove playbookFile, or give the folder as playbook');
      }
      return undefined;
    }
    const file = given ?? 'playbook.yml';
    const inside = insideFolder(playbook.resolved, file);
    if (!inside || !fs.existsSync(inside) || !fs.statSync(inside).isFile()) {
      invalidProp(context.scope, `${context.prop}.playbookFile`, file, `no playbook file ${file} inside ${playbook.resolved}`,
        `Give the playbook's path relative to the folder${given === undefined ? ' (the default is \'playbook.yml\')' : ''}`);
    }
    return path.relative(playbook.resolved, inside).split(path.sep).join('/');
  }

  private checkRequirements(context: ProvisionerBindContext, playbook: { resolved: string; kind: string }): Requirements | undefined {
    const given = this.options.galaxyRequirements;
    if (given === undefined) {
      return undefined;
    }
    if (playbook.kind === 'folder' && !path.isAbsolute(given)) {
      const inside = insideFolder(playbook.resolved, given);
      if (inside && fs.existsSync(inside) && fs.statSync(inside).isFile()) {
        return { inFolder: path.relative(playbook.resolved, inside).split(path.sep).join('/') };
      }
    }
    const file = requireLocalPath(context, 'galaxyRequirements', given, ['file']);
    if (playbook.kind === 'folder' && insideFolder(playbook.resolved, path.relative(playbook.resolved, file.resolved))) {
      return { inFolder: path.relative(playbook.resolved, file.resolved).split(path.sep).join('/') };
    }
    return { file: file.resolved };
  }
}
