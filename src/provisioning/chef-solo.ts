import * as fs from 'fs';
import * as path from 'path';
import { bashExtractLines, powerShellExtractLines } from './archive-extraction';
import { bashFetchLines, bashRemoveInstalledLines, checkSha256, checkVersion, StagedFolder, stageFolder } from './config-management';
import { refuseCredentialsInFiles, requireLocalPath } from './local-files';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { BASH, POWERSHELL, POWERSHELL_STOP_ON_ERROR, powerShellQuote, shellQuote, WAIT_FOR_CLOUD_INIT } from './script-language';
import { StepOptions } from './step-options';
import { provisionerName, refuseCredentials, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/**
 * Options for a Chef Infra run on the build instance (Packer's `chef-solo`).
 *
 * Chef is installed as **Cinc Client**, the free (Apache-2.0) build of Chef Infra Client by the
 * Cinc project: Progress Chef's own binaries need a commercial licence to be accepted on every
 * run, Cinc's do not, and they run the same cookbooks. To use Chef Infra Client, install it with
 * `installCommand` (and accept its licence there).
 */
export interface ChefSoloProvisionerOptions extends StepOptions {
  /**
   * A local folder of cookbooks (each in a subfolder named after it, as in Packer's
   * `cookbook_paths`). It is uploaded whole; text files are checked for credentials at synth.
   */
  readonly cookbooks: string;

  /**
   * The run list: `recipe[name]`, `recipe[name::recipe]`, `role[name]`, or a bare
   * `name` / `name::recipe` (read as a recipe). The cookbook of every recipe must be in
   * `cookbooks`.
   */
  readonly runList: string[];

  /**
   * Node attributes (Packer's `json`), given to `chef-solo` with `--json-attributes`. Stored in
   * plain text in the component document: never put secrets here.
   *
   * @default - none
   */
  readonly json?: { [key: string]: any };

  /**
   * The Cinc Client version to install: a major version (the newest release of it), or
   * major.minor.patch to pin one release (recommended: a rebake then installs what the last
   * bake did).
   *
   * @default '18'
   */
  readonly chefVersion?: string;

  /**
   * The SHA-256 of the Cinc install script (`https://omnitruck.cinc.sh/install.sh` on Linux,
   * `install.ps1` on Windows): the build fails when the downloaded script differs from the one
   * you reviewed. The script itself checks the package it downloads against the SHA-256 the
   * Cinc omnitruck service publishes.
   *
   * @default - the script is fetched over HTTPS and not compared with a known checksum
   */
  readonly installerSha256?: string;

  /**
   * Commands that install Chef instead of the Cinc install script (bash on Linux, PowerShell
   * on Windows), e.g. Chef Infra Client from your own repository. What they install is not
   * removed after the run.
   *
   * @default - the Cinc install script
   */
  readonly installCommand?: string[];

  /**
   * Install Chef when the image has neither `cinc-solo` nor `chef-solo` (Packer's
   * `skip_install` is `installChef: false`).
   *
   * @default true
   */
  readonly installChef?: boolean;

  /**
   * Keep the Cinc Client this provisioner installed on the image. By default it is removed
   * after the run, as are the cookbooks, the attributes and Chef's cache. Not allowed with
   * `installCommand` or `installChef: false`: what your own install puts there stays.
   *
   * @default false
   */
  readonly keepInstalled?: boolean;
}

/** Run-list entries Chef accepts: recipe[...] / role[...] or a bare recipe name. */
const RUN_LIST_ENTRY = /^(?:(recipe|role)\[([A-Za-z0-9_.-]+)(?:::[A-Za-z0-9_.-]+)?(?:@[0-9.]+)?\]|([A-Za-z0-9_.-]+)(?:::[A-Za-z0-9_.-]+)?)$/;

/** Where Cinc's installers put it (the Cinc project's packages). */
const CINC_WINDOWS_BIN = 'C:\\cinc-project\\cinc\\bin';

/** `Provisioner.chefSolo()`: install Cinc Client, download the cookbooks, run `chef-solo` in local mode. */
export class ChefSolo implements ProvisionerKind {
  public readonly kindName = 'chef';

  constructor(private readonly options: ChefSoloProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const name = provisionerName(context, this.options);
    const cookbooks = requireLocalPath(context, 'cookbooks', this.options.cookbooks, ['folder']);
    const runList = this.checkRunList(context, cookbooks.resolved);
    const version = checkVersion(context, 'chefVersion', this.options.chefVersion ?? '18', '18.8.11');
    const sha256 = checkSha256(context, 'installerSha256', this.options.installerSha256);
    if (this.options.installCommand !== undefined && (this.options.installCommand.length === 0 || this.options.installChef === false)) {
      invalidProp(context.scope, `${context.prop}.installCommand`, this.options.installCommand,
        this.options.installChef === false ? 'installCommand is never run with installChef: false' : 'installCommand holds no command',
        'Remove installCommand to install Cinc Client, or give the commands that install Chef');
    }
    const ownInstall = this.options.installChef === false ? 'installChef: false' : this.options.installCommand ? 'installCommand' : undefined;
    for (const prop of ['chefVersion', 'installerSha256'] as const) {
      if (ownInstall && this.options[prop] !== undefined) {
        invalidProp(context.scope, `${context.prop}.${prop}`, this.options[prop], `${prop} applies to the Cinc install script, which ${ownInstall} replaces`,
          `Remove ${prop}, or pin the version in your own install`);
      }
    }
    if (ownInstall && this.options.keepInstalled !== undefined) {
      invalidProp(context.scope, `${context.prop}.keepInstalled`, this.options.keepInstalled,
        `keepInstalled applies to the Cinc Client this provisioner installs, and with ${ownInstall} it installs none`,
        'Remove keepInstalled: what your own install puts on the image stays there');
    }
    const attributes = { ...(this.options.json ?? {}), run_list: runList };
    if ('run_list' in (this.options.json ?? {})) {
      invalidProp(context.scope, `${context.prop}.json.run_list`, this.options.json!.run_list, 'the run list is given in runList', 'Move the entries to runList');
    }
    const attributesText = JSON.stringify(attributes);
    refuseCredentials(context, 'json', JSON.stringify(attributes, undefined, 1), 'the attributes JSON');
    for (const command of this.options.installCommand ?? []) {
      refuseCredentials(context, 'installCommand', command, 'the install command');
    }
    refuseCredentialsInFiles(context, 'cookbooks', cookbooks.resolved, this.options.cookbooks.replace(/[\\/]+$/, ''));

    const staged = stageFolder(context, name, 'Cookbooks', cookbooks.resolved);
    const settings = stepSettings(context, this.options);
    const windows = context.osFamily === OsFamily.WINDOWS;
    const install = this.options.installCommand ?? (windows ? installCincWindows : installCincLinux)(version, sha256, staged);
    const run = windows ? this.runWindows(name, staged, attributesText) : this.runLinux(name, staged, attributesText);
    const language = windows ? POWERSHELL : BASH;
    return {
      name,
      platform: context.osFamily,
      document: locate => {
        const steps: ToeStep[] = [];
        if (this.options.installChef !== false) {
          steps.push({ name: `${name}-install`, action: language.action, ...settings, inputs: { commands: this.options.installCommand ? [language.stopOnError, ...install] : install } });
        }
        steps.push({ name: `${name}-download`, action: 'S3Download', ...settings, inputs: [staged.download(locate)] });
        steps.push({ name, action: language.action, ...settings, inputs: { commands: run } });
        return singlePhase(context, steps);
      },
    };
  }

  private checkRunList(context: ProvisionerBindContext, cookbooks: string): string[] {
    const runList = this.options.runList ?? [];
    if (runList.length === 0) {
      invalidProp(context.scope, `${context.prop}.runList`, runList, 'the run list is empty, so chef-solo would change nothing',
        'Name the recipes to run, e.g. runList: [\'recipe[web]\']');
    }
    return runList.map((entry, i) => {
      const match = RUN_LIST_ENTRY.exec(entry);
      if (!match) {
        invalidProp(context.scope, `${context.prop}.runList[${i}]`, entry, 'a run-list entry is recipe[cookbook::recipe], role[name], or a bare cookbook::recipe',
          'Write the entry as Chef does, e.g. \'recipe[web::default]\'');
      }
      const cookbook = match[1] === 'role' ? undefined : match[2] ?? match[3];
      if (cookbook && !fs.existsSync(path.join(cookbooks, cookbook))) {
        invalidProp(context.scope, `${context.prop}.runList[${i}]`, entry, `there is no cookbook ${cookbook} in ${cookbooks}`,
          `Add the cookbook as ${path.join(cookbooks, cookbook)}, or fix the name`);
      }
      return match[1] ? entry : `recipe[${entry}]`;
    });
  }

  private runLinux(name: string, staged: StagedFolder, attributes: string): string[] {
    const { folder, archive } = staged;
    const solo = `${folder}/solo.rb`;
    const json = `${folder}/attributes.json`;
    return [
      BASH.stopOnError,
      `rm -rf ${shellQuote(folder)}`,
      ...bashExtractLines(archive, `${folder}/cookbooks`, `Provisioner.chefSolo '${name}'`),
      'solo=$(command -v cinc-solo || command -v chef-solo || true)',
      `if [ -z "$solo" ]; then echo ${shellQuote(`Provisioner.chefSolo '${name}': neither cinc-solo nor chef-solo is installed on the instance. Set installChef: true, or install Chef in an earlier provisioner.`)} >&2; exit 1; fi`,
      // Chef's node objects and cache go inside the staged folder, so they leave with it.
      `printf '%s\\n' ${soloConfig(folder).map(shellQuote).join(' ')} > ${shellQuote(solo)}`,
      `printf '%s\\n' ${shellQuote(attributes)} > ${shellQuote(json)}`,
      `cd ${shellQuote(folder)}`,
      `"$solo" --config ${shellQuote(solo)} --json-attributes ${shellQuote(json)} --no-color`,
      'cd /',
      `rm -rf ${shellQuote(folder)} ${shellQuote(archive)}`,
      ...bashRemoveInstalledLines(staged, this.options.keepInstalled, 'Cinc Client', ['cinc'], ['/opt/cinc', '/etc/cinc', '/var/cinc']),
    ];
  }

  private runWindows(name: string, staged: StagedFolder, attributes: string): string[] {
    const { folder, archive } = staged;
    const solo = `${folder}\\solo.rb`;
    const json = `${folder}\\attributes.json`;
    const marker = powerShellQuote(staged.installedMarker);
    return [
      POWERSHELL_STOP_ON_ERROR,
      `if (Test-Path -LiteralPath ${powerShellQuote(folder)}) { Remove-Item -LiteralPath ${powerShellQuote(folder)} -Recurse -Force }`,
      ...powerShellExtractLines(archive, `${folder}\\cookbooks`),
      `$env:Path = ${powerShellQuote(CINC_WINDOWS_BIN + ';')} + $env:Path`,
      '$solo = Get-Command cinc-solo, chef-solo -ErrorAction SilentlyContinue | Select-Object -First 1',
      `if (-not $solo) { throw ${powerShellQuote(`Provisioner.chefSolo '${name}': neither cinc-solo nor chef-solo is installed on the instance. Set installChef: true, or install Chef in an earlier provisioner.`)} }`,
      // Windows PowerShell 5.1's Set-Content writes a byte-order mark; WriteAllText writes plain UTF-8, which every parser reads.
      `[IO.File]::WriteAllText(${powerShellQuote(solo)}, (@(${soloConfig(folder.replace(/\\/g, '/')).map(powerShellQuote).join(', ')}) -join [Environment]::NewLine))`,
      `[IO.File]::WriteAllText(${powerShellQuote(json)}, ${powerShellQuote(attributes)})`,
      `& $solo.Source --config ${powerShellQuote(solo)} --json-attributes ${powerShellQuote(json)} --no-color`,
      '$status = $LASTEXITCODE',
      `Remove-Item -LiteralPath ${powerShellQuote(folder)}, ${powerShellQuote(archive)} -Recurse -Force`,
      ...(this.options.keepInstalled ? [] : [
        `if (Test-Path -LiteralPath ${marker}) {`,
        '  Write-Output "Removing the Cinc Client this provisioner installed"',
        '  Get-CimInstance -ClassName Win32_Product -Filter "Name LIKE \'Cinc Client%\'" | Invoke-CimMethod -MethodName Uninstall | Out-Null',
        '}',
      ]),
      `Remove-Item -LiteralPath ${marker} -Force -ErrorAction SilentlyContinue`,
      'if ($status) { exit $status }',
    ];
  }
}

/** solo.rb: cookbooks, node objects and cache all inside the staged folder. Paths as Ruby strings. */
function soloConfig(folder: string): string[] {
  const ruby = (value: string) => JSON.stringify(value).replace(/#/g, '\\#');
  return [
    `chef_repo_path ${ruby(folder)}`,
    `cookbook_path [${ruby(`${folder}/cookbooks`)}]`,
    `file_cache_path ${ruby(`${folder}/cache`)}`,
  ];
}

/**
 * Installs Cinc Client with the Cinc project's omnitruck script, unless a Chef is already there.
 * The script is Chef's omnitruck `install.sh` rebranded (`-P <project> -v <version>`; it checks
 * the package's SHA-256 from the omnitruck metadata); AWS ParallelCluster ships a copy of it
 * (github.com/aws/aws-parallelcluster-cookbook, util/cinc-install.sh, "based on the official CINC
 * installer https://omnitruck.cinc.sh/install.sh"). Cinc's own install page was not in the
 * searched corpus. The script is saved first so its checksum can be checked before it runs.
 * Chef Infra Client itself asks for its EULA to be accepted on the first run
 * (https://docs.chef.io/client/19.1/license), which is why Cinc is the default.
 */
function installCincLinux(version: string, sha256: string | undefined, staged: StagedFolder): string[] {
  const script = `${staged.folder}-install.sh`;
  return [
    BASH.stopOnError,
    'if command -v cinc-solo >/dev/null 2>&1 || command -v chef-solo >/dev/null 2>&1; then echo "Chef is already installed: $( (cinc-solo --version || chef-solo --version) 2>/dev/null | head -n 1)"; exit 0; fi',
    WAIT_FOR_CLOUD_INIT,
    ...bashFetchLines('https://omnitruck.cinc.sh/install.sh', script, sha256),
    `bash ${shellQuote(script)} -P cinc -v ${shellQuote(version)}`,
    `rm -f ${shellQuote(script)}`,
    `touch ${shellQuote(staged.installedMarker)}`,
    'cinc-solo --version',
  ];
}

/** The same on Windows, with the omnitruck PowerShell script (its `install` function). */
function installCincWindows(version: string, sha256: string | undefined, staged: StagedFolder): string[] {
  const script = powerShellQuote(`${staged.folder}-install.ps1`);
  return [
    POWERSHELL_STOP_ON_ERROR,
    'if (Get-Command cinc-solo, chef-solo -ErrorAction SilentlyContinue) { Write-Output \'Chef is already installed\'; exit 0 }',
    `if (Test-Path -LiteralPath ${powerShellQuote(CINC_WINDOWS_BIN + '\\cinc-solo.bat')}) { Write-Output 'Cinc Client is already installed'; exit 0 }`,
    '[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12',
    `Invoke-WebRequest -UseBasicParsing -Uri 'https://omnitruck.cinc.sh/install.ps1' -OutFile ${script}`,
    ...(sha256 ? [`if ((Get-FileHash -LiteralPath ${script} -Algorithm SHA256).Hash -ne ${powerShellQuote(sha256.toUpperCase())}) { throw 'The Cinc install script does not match installerSha256' }`] : []),
    `. ${script}`,
    `install -project cinc -version ${powerShellQuote(version)}`,
    `Remove-Item -LiteralPath ${script} -Force`,
    `New-Item -ItemType File -Force -Path ${powerShellQuote(staged.installedMarker)} | Out-Null`,
  ];
}
