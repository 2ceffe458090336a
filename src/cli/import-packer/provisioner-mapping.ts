/**
 * Packer provisioners to the library's Provisioner factories, in template order
 * (../shared/reference/PACKER_FEATURES.md, "Provisioners").
 */
import * as path from 'path';
import { toShellValues } from './build-time-values';
import { durationCode, isSet, MappingContext, stringList } from './mapping-context';
import { PackerStep } from './packer-template';

/** execute_command wrappers that only gain root or pass variables: AWSTOE already runs as root. */
const SUDO_WRAPPER = /^(?:echo\s+'[^']*'\s*\|\s*)?(?:\{\{\s*\.Vars\s*\}\}\s*)?(?:sudo\s+(?:-[A-Za-z]+\s+)*)?(?:(?:ba)?sh\s+(?:-[a-z]+\s+)*(?:-c\s+)?)?'?\s*(?:chmod\s+\+x\s+\{\{\s*\.Path\s*\}\};?\s*)?(?:\{\{\s*\.Vars\s*\}\}\s*)?(?:sudo\s+(?:-[A-Za-z]+\s+)*)?(?:(?:ba)?sh\s+(?:-[a-z]+\s+)*)?'?\{\{\s*\.Path\s*\}\}'?\s*'?$/;

/** Settings of a step that have no bearing on the image (or that the library does anyway). */
const IGNORED = new Set(['only', 'except', 'inline_shebang', 'remote_folder', 'remote_file', 'remote_path', 'skip_clean', 'use_env_var_file', 'binary']);

export function mapProvisioners(steps: readonly PackerStep[], ctx: MappingContext): string[] {
  const out: string[] = [];
  for (const step of steps) {
    const mapped = mapOne(step, ctx);
    if (mapped.length) ctx.report('provisioner', step, step.type, mapped.approximate ? 'approximate' : 'mapped', mapped.approximate ?? `${mapped.length} step(s)`, step.line);
    out.push(...mapped);
  }
  return out;
}

type Mapped = string[] & { approximate?: string };

function approx(code: string[], why?: string): Mapped {
  const m = code as Mapped;
  if (why) m.approximate = why;
  return m;
}

function mapOne(step: PackerStep, ctx: MappingContext): Mapped {
  const c = step.config;
  const unknown = (keys: string[]) => {
    for (const key of Object.keys(c)) {
      if (!keys.includes(key) && !IGNORED.has(key) && isSet(c[key])) {
        ctx.report('provisioner', step, `${step.type}.${key}`, 'unsupported', 'no equivalent in an Image Builder component');
      }
    }
  };
  switch (step.type) {
    case 'shell':
      unknown(['inline', 'script', 'scripts', 'environment_vars', 'env', 'execute_command', 'expect_disconnect', 'max_retries', 'timeout', 'pause_before', 'pause_after', 'valid_exit_codes', 'start_retry_timeout']);
      return shell(step, ctx, false);
    case 'powershell':
      unknown(['inline', 'script', 'scripts', 'environment_vars', 'env', 'execute_command', 'elevated_user', 'elevated_password', 'max_retries', 'timeout', 'pause_before', 'valid_exit_codes']);
      return shell(step, ctx, true);
    case 'file':
      unknown(['source', 'sources', 'destination', 'direction', 'generated', 'content', 'pause_before', 'max_retries', 'timeout']);
      return file(step, ctx);
    case 'ansible-local':
    case 'ansible':
      if (ctx.windows) {
        ctx.report('provisioner', step, step.type, 'unsupported', 'Ansible runs on the build instance, which needs Linux: on Windows, port the playbook to PowerShell steps (Provisioner.powerShell)');
        return [];
      }
      return ansible(step, ctx);
    case 'chef-solo':
      return chefSolo(step, ctx);
    case 'puppet-masterless':
      if (ctx.windows) {
        ctx.report('provisioner', step, step.type, 'unsupported', 'Provisioner.puppetApply installs OpenVox from its Linux repositories: on Windows, use Provisioner.chefSolo or PowerShell steps');
        return [];
      }
      return puppetMasterless(step, ctx);
    case 'windows-restart':
      for (const key of ['restart_check_command', 'restart_timeout', 'check_registry', 'restart_command']) {
        if (isSet(c[key])) ctx.report('provisioner', step, `windows-restart.${key}`, 'unsupported', 'AWSTOE resumes the document after the reboot by itself');
      }
      return [`${ctx.use('cdk-immutable-infra', 'Provisioner')}.reboot()`] as Mapped;
    case 'windows-update': {
      const filtered = isSet(c.filters) || isSet(c.search_criteria);
      return approx([`${ctx.use('cdk-immutable-infra', 'Provisioner')}.updateOs()`], filtered ? 'filters/search_criteria are not carried over: UpdateOS installs every applicable update' : undefined);
    }
    case 'breakpoint':
      ctx.report('provisioner', step, 'breakpoint', 'unsupported', 'to debug a build, set terminateInstanceOnFailure: false and connect with SSM Session Manager');
      return [];
    case 'shell-local':
      ctx.report('provisioner', step, 'shell-local', 'unsupported', 'runs on the Packer host, not the instance: run it before cdk deploy, or in a custom resource');
      return [];
    default:
      ctx.report('provisioner', step, step.type, 'unsupported', 'no equivalent provisioner: write it as a shell step or an AWSTOE document (Provisioner.fromComponentDocument)');
      return [];
  }
}

function stepOptions(step: PackerStep, ctx: MappingContext): string[] {
  const c = step.config;
  const options: string[] = [];
  if (isSet(c.max_retries) && Number(c.max_retries) > 0) options.push(`maxAttempts: ${Math.min(Number(c.max_retries) + 1, 10)}`);
  if (isSet(c.timeout)) {
    const d = durationCode(c.timeout, ctx);
    if (d) options.push(`timeout: ${d}`);
  }
  if (isSet(c.pause_before)) ctx.report('provisioner', step, `${step.type}.pause_before`, 'unsupported', 'AWSTOE runs steps back to back; add a sleep command if the wait matters');
  if (isSet(c.pause_after)) ctx.report('provisioner', step, `${step.type}.pause_after`, 'unsupported', 'AWSTOE resumes after a reboot by itself');
  if (isSet(c.valid_exit_codes)) ctx.report('provisioner', step, `${step.type}.valid_exit_codes`, 'unsupported', 'end the commands with "|| true" or handle the codes in the script');
  return options;
}

function environment(step: PackerStep, ctx: MappingContext): string | undefined {
  const c = step.config;
  const pairs: Array<[string, string]> = [];
  for (const entry of stringList(c.environment_vars)) {
    const eq = entry.indexOf('=');
    if (eq > 0) pairs.push([entry.slice(0, eq), entry.slice(eq + 1)]);
  }
  if (c.env && typeof c.env === 'object') pairs.push(...Object.entries(c.env as Record<string, unknown>).map(([k, v]) => [k, String(v)] as [string, string]));
  if (pairs.length === 0) return undefined;
  const body = pairs.map(([k, v]) => {
    if (ctx.containsSecret(v)) {
      ctx.report('provisioner', step, `${step.type}.environment ${k}`, 'approximate', 'holds a sensitive value: read it on the instance from SSM Parameter Store (SecureString) instead of writing it into the component');
      const name = [...ctx.template.sensitiveValues].find(([, s]) => v.includes(s))?.[0] ?? k;
      return `${JSON.stringify(k)}: ${JSON.stringify(ssmShell(name))}`;
    }
    return `${JSON.stringify(k)}: ${ctx.string(toShellValues(v))}`;
  });
  return `environment: { ${body.join(', ')} }`;
}

function shell(step: PackerStep, ctx: MappingContext, powerShell: boolean): Mapped {
  const c = step.config;
  const Provisioner = ctx.use('cdk-immutable-infra', 'Provisioner');
  let note: string | undefined;
  if (isSet(c.execute_command)) {
    if (SUDO_WRAPPER.test(String(c.execute_command).trim())) {
      ctx.report('provisioner', step, `${step.type}.execute_command`, 'mapped', 'a sudo/variables wrapper: AWSTOE already runs steps as root with the environment set');
    } else {
      note = `execute_command ${JSON.stringify(c.execute_command)} is not carried over: the commands run as root without it`;
    }
  }
  if (powerShell && (isSet(c.elevated_user) || isSet(c.elevated_password))) {
    ctx.report('provisioner', step, 'powershell.elevated_user', 'mapped', 'AWSTOE runs PowerShell elevated already (the password is not copied)');
  }
  if (isSet(c.expect_disconnect) && c.expect_disconnect === true) {
    note = 'expect_disconnect: if the script reboots, exit with 194 (Linux) or 3010 (Windows) instead so AWSTOE reboots and resumes; or add Provisioner.reboot() after it';
  }
  const options = stepOptions(step, ctx);
  const env = environment(step, ctx);
  if (env) options.push(env);
  const out: string[] = [];
  const inline = stringList(c.inline).map(l => shellText(l, step, ctx, powerShell));
  if (inline.length) {
    // Packer runs inline commands with `/bin/sh -e`: keep the fail-fast.
    const commands = powerShell ? inline : ['set -e', ...inline];
    out.push(`${Provisioner}.${powerShell ? 'powerShell' : 'shell'}({\n  commands: [\n${commands.map(l => `    ${ctx.string(l)},`).join('\n')}\n  ],${options.map(o => `\n  ${o},`).join('')}\n})`);
  }
  for (const script of [...stringList(c.script), ...stringList(c.scripts)]) {
    out.push(`${Provisioner}.${powerShell ? 'powerShellScript' : 'shellScript'}({ path: ${ctx.templatePath(script)}${options.map(o => `, ${o}`).join('')} })`);
  }
  if (out.length === 0) {
    ctx.report('provisioner', step, step.type, 'unsupported', 'no inline, script or scripts: nothing to run');
  }
  return approx(out, note);
}

/**
 * A command line as the instance runs it: build-time values computed there, and values Packer
 * fills in while building (`{{ build.ID }}`, `{{ .SourceAMI }}`) replaced, because AWSTOE reads
 * `{{ }}` as its own expressions.
 */
function shellText(line: string, step: PackerStep, ctx: MappingContext, powerShell: boolean): string {
  let text = line;
  for (const [name, secret] of ctx.template.sensitiveValues) {
    if (secret.length < 4 || !text.includes(secret)) continue;
    ctx.report('provisioner', step, `${step.type} var.${name}`, 'approximate', 'a sensitive value: read on the instance from the SSM SecureString /packer/' + name + ' (create it), never written into the component');
    text = text.split(secret).join(powerShell ? ssmPowerShell(name) : ssmShell(name));
  }
  return toShellValues(text).replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, expression: string) => {
    const known = BUILD_DATA[expression.replace(/^\./, '')];
    ctx.report('provisioner', step, `${step.type} {{ ${expression} }}`, 'approximate', known
      ? `Packer's ${expression} becomes ${known.description}`
      : `Packer's ${expression} has no value on Image Builder: it becomes the empty environment variable ${envName(expression)}`);
    if (known) return powerShell ? known.powerShell : known.shell;
    return powerShell ? `$env:${envName(expression)}` : `\${${envName(expression)}:-}`;
  });
}

/** Packer's build data with an equivalent on the build instance. */
const BUILD_DATA: { readonly [name: string]: { description: string; shell: string; powerShell: string } } = {
  'build.ID': { description: 'the build instance\'s id', shell: '$(cat /var/lib/cloud/data/instance-id)', powerShell: '$((Get-EC2InstanceMetadata -Category InstanceId))' },
  'build.PackerRunUUID': { description: 'the build instance\'s id', shell: '$(cat /var/lib/cloud/data/instance-id)', powerShell: '$((Get-EC2InstanceMetadata -Category InstanceId))' },
  'BuildRegion': { description: 'the region from instance metadata', shell: '$(cloud-init query region 2>/dev/null)', powerShell: '$((Get-EC2InstanceMetadata -Category Region).SystemName)' },
};

function envName(expression: string): string {
  return `PACKER_${expression.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toUpperCase()}`;
}

function file(step: PackerStep, ctx: MappingContext): Mapped {
  const c = step.config;
  const Provisioner = ctx.use('cdk-immutable-infra', 'Provisioner');
  if (c.direction === 'download') {
    ctx.report('provisioner', step, 'file', 'unsupported', 'direction = "download": copy the file to S3 from a shell step (aws s3 cp) instead');
    return [];
  }
  if (isSet(c.content)) {
    ctx.report('provisioner', step, 'file.content', 'unsupported', 'write the content with a shell step (cat > file <<EOF) or keep it in a local file');
    return [];
  }
  let destination = String(c.destination ?? '');
  let note: string | undefined;
  const windows = /^[A-Za-z]:[\\/]/.test(destination);
  if (!destination.startsWith('/') && !windows) {
    note = `the destination ${JSON.stringify(destination)} is relative to the SSH user's home on Packer; it becomes /root/${destination}`;
    destination = `/root/${destination}`;
  } else if (destination.startsWith('/tmp/')) {
    note = 'uploaded to /tmp for a later "sudo mv": the library can copy straight to the final path (root already)';
  }
  const options = stepOptions(step, ctx);
  const out = [...stringList(c.source), ...stringList(c.sources)].map(source =>
    `${Provisioner}.file({ source: ${ctx.templatePath(source)}, destination: ${ctx.string(destination)}${options.map(o => `, ${o}`).join('')} })`);
  return approx(out, note);
}

function ansible(step: PackerStep, ctx: MappingContext): Mapped {
  const c = step.config;
  const Provisioner = ctx.use('cdk-immutable-infra', 'Provisioner');
  const notes: string[] = [];
  if (step.type === 'ansible') notes.push('remote ansible becomes a pull-mode run on the instance (ansible-playbook -c local): inventory groups, user and use_proxy do not apply');
  const props: string[] = [];
  const dir = isSet(c.playbook_dir) ? String(c.playbook_dir) : undefined;
  const playbook = String(c.playbook_file ?? '');
  if (dir) {
    props.push(`playbook: ${ctx.templatePath(dir)}`);
    if (playbook) props.push(`playbookFile: ${ctx.string(path.relative(dir, playbook))}`);
  } else {
    props.push(`playbook: ${ctx.templatePath(playbook)}`);
  }
  if (isSet(c.galaxy_file)) props.push(`galaxyRequirements: ${ctx.templatePath(String(c.galaxy_file))}`);
  const extraVars: Record<string, string> = {};
  const args = stringList(c.extra_arguments);
  for (let k = 0; k < args.length; k++) {
    const m = /^(?:--extra-vars|-e)(?:=(.*))?$/.exec(args[k]);
    if (!m) continue;
    const value = m[1] ?? args[++k] ?? '';
    for (const pair of value.replace(/^["']|["']$/g, '').split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) extraVars[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  if (args.some(a => !/^(?:--extra-vars|-e)/.test(a)) && args.length > 2 * Object.keys(extraVars).length) notes.push('extra_arguments other than --extra-vars are not carried over');
  if (Object.keys(extraVars).length) props.push(`extraVars: { ${Object.entries(extraVars).map(([k, v]) => `${JSON.stringify(k)}: ${ctx.string(v)}`).join(', ')} }`);
  for (const key of ['user', 'use_proxy', 'ansible_env_vars', 'groups', 'host_alias', 'inventory_file', 'inventory_groups', 'ansible_ssh_extra_args', 'sftp_command', 'keep_inventory_file']) {
    if (isSet(c[key])) ctx.report('provisioner', step, `${step.type}.${key}`, 'unsupported', 'only meaningful for a remote run over SSH/WinRM');
  }
  props.push(...stepOptions(step, ctx));
  return approx([`${Provisioner}.ansiblePlaybook({ ${props.join(', ')} })`], notes.length ? notes.join('; ') : undefined);
}

/** Reports the settings a kind has no equivalent for. */
function reportUnsupported(step: PackerStep, ctx: MappingContext, keys: string[], why: string): void {
  for (const key of keys) {
    if (isSet(step.config[key])) ctx.report('provisioner', step, `${step.type}.${key}`, 'unsupported', why);
  }
}

/** A path a kind takes relative to its code folder, with a note when the template keeps it elsewhere. */
function relativeTo(folder: string, given: string, what: string, notes: string[]): string {
  const relative = path.relative(folder, given).split(path.sep).join('/');
  if (relative.startsWith('..') || path.isAbsolute(relative)) notes.push(`move ${what} ${given} into ${folder}: only that folder is uploaded`);
  return relative;
}

function chefSolo(step: PackerStep, ctx: MappingContext): Mapped {
  const c = step.config;
  const notes: string[] = [];
  const cookbooks = stringList(c.cookbook_paths);
  if (cookbooks.length !== 1) notes.push(cookbooks.length === 0 ? 'no cookbook_paths: give the cookbooks folder' : `only the first of ${cookbooks.length} cookbook_paths is used: merge the folders`);
  const props = [`cookbooks: ${ctx.templatePath(cookbooks[0] ?? 'cookbooks')}`, `runList: [${stringList(c.run_list).map(e => ctx.string(e)).join(', ')}]`];
  if (c.json && typeof c.json === 'object') props.push(`json: ${ctx.scrub(JSON.stringify(c.json))}`);
  if (isSet(c.version)) props.push(`chefVersion: ${ctx.string(String(c.version))}`);
  if (c.skip_install === true || c.skip_install === 'true') {props.push('installChef: false');} else if (isSet(c.install_command)) {
    props.push(`installCommand: [${ctx.string(String(c.install_command))}]`);
    notes.push('install_command is kept as written: replace Packer template variables in it');
  }
  if (isSet(c.chef_license)) notes.push('chef_license is dropped: the default install is Cinc Client, which needs no licence');
  reportUnsupported(step, ctx, ['roles_path', 'data_bags_path', 'environments_path', 'chef_environment', 'config_template', 'encrypted_data_bag_secret_path',
    'remote_cookbook_paths', 'execute_command', 'policy_name', 'policy_group', 'staging_directory'], 'not carried over: put roles and data bags in the cookbooks, or run chef-solo from Provisioner.shell');
  props.push(...stepOptions(step, ctx));
  return approx([`${ctx.use('cdk-immutable-infra', 'Provisioner')}.chefSolo({ ${props.join(', ')} })`], notes.length ? notes.join('; ') : undefined);
}

function puppetMasterless(step: PackerStep, ctx: MappingContext): Mapped {
  const c = step.config;
  const notes: string[] = [];
  const modulePaths = stringList(c.module_paths);
  const manifest = String(c.manifest_file ?? 'site.pp');
  const modules = modulePaths[0] ?? (isSet(c.manifest_dir) ? String(c.manifest_dir) : path.dirname(manifest));
  if (modulePaths.length > 1) notes.push(`only the first of ${modulePaths.length} module_paths is used: merge the folders`);
  const props = [`modules: ${ctx.templatePath(modules)}`, `manifest: ${ctx.string(relativeTo(modules, manifest, 'manifest_file', notes))}`];
  if (isSet(c.hiera_config_path)) props.push(`hieraConfig: ${ctx.string(relativeTo(modules, String(c.hiera_config_path), 'hiera_config_path', notes))}`);
  if (c.facter && typeof c.facter === 'object') {
    props.push(`facts: { ${Object.entries(c.facter as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${ctx.string(String(v))}`).join(', ')} }`);
  }
  reportUnsupported(step, ctx, ['extra_arguments', 'execute_command', 'puppet_bin_dir', 'ignore_exit_codes', 'working_directory', 'staging_directory'],
    'not carried over: puppet apply runs with --detailed-exitcodes from the staged folder (exit 0 and 2 succeed)');
  props.push(...stepOptions(step, ctx));
  return approx([`${ctx.use('cdk-immutable-infra', 'Provisioner')}.puppetApply({ ${props.join(', ')} })`], notes.length ? notes.join('; ') : undefined);
}

/** A sensitive value fetched on the build instance (the instance role needs ssm:GetParameter on it). */
function ssmShell(variable: string): string {
  return `$(aws ssm get-parameter --with-decryption --name /packer/${variable} --query Parameter.Value --output text)`;
}

function ssmPowerShell(variable: string): string {
  return `$((Get-SSMParameter -Name /packer/${variable} -WithDecryption $true).Value)`;
}
