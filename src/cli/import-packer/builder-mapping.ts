/**
 * An amazon-ebs source to GoldenImage props and, where the template distributes, ImagePipeline
 * distribution settings (../shared/reference/PACKER_FEATURES.md, "Builder amazon-ebs").
 */
import { toBuildVariables } from './build-time-values';
import { DATA_PREFIX } from './hcl-template';
import { commaList, CREDENTIAL_KEYS, isSet, MappingContext, stringList } from './mapping-context';
import { pascal } from './names';
import { PackerSource } from './packer-template';
import { BUILD_DATE, hasBuildVariable, translateAmiName } from '../../image/ami-name';

/** Code for one image: its GoldenImage props and, when it distributes, the pipeline's. */
export interface BuilderCode {
  readonly props: string[];
  readonly distribution: string[];
  readonly retention?: string;
  readonly windows: boolean;
}

/** Settings the library does itself or that have no effect on the image: reported as mapped. */
const HANDLED_BY_LIBRARY: { readonly [key: string]: string } = {
  region: 'the stack\'s region: deploy the stack there (env: { region })',
  ssh_username: 'no SSH: Image Builder reaches the instance through SSM',
  ssh_timeout: 'no SSH: Image Builder reaches the instance through SSM',
  communicator: 'no communicator: Image Builder reaches the instance through SSM',
  associate_public_ip_address: 'not needed: the instance needs only outbound access to SSM and S3',
  ssh_interface: 'not needed: no SSH',
  temporary_security_group_source_cidrs: 'not needed: no inbound access',
  ami_virtualization_type: 'Image Builder AMIs are HVM',
  force_deregister: 'each bake is a new image version with a unique AMI name',
  force_delete_snapshot: 'amiRemovalPolicy / the pipeline\'s retention delete old AMIs and snapshots',
  shutdown_behavior: 'Image Builder manages the build instance',
  disable_stop_instance: 'Image Builder stops the instance itself',
  ebs_optimized: 'set by the instance type',
  encrypt_boot: 'the root volume is encrypted (the library\'s default)',
};

const UNSUPPORTED: { readonly [key: string]: string } = {
  spot_price: 'Image Builder builds on on-demand instances',
  spot_instance_types: 'Image Builder builds on on-demand instances',
  spot_tags: 'Image Builder builds on on-demand instances',
  enable_unlimited_credits: 'no equivalent',
  skip_create_ami: 'no equivalent: a build always makes an AMI',
  snapshot_users: 'no equivalent: launch permissions only (LaunchPermissionOptions)',
  snapshot_groups: 'no equivalent: launch permissions only',
  snapshot_tags: 'no equivalent',
  run_tags: 'no equivalent on the build instance',
  run_volume_tags: 'no equivalent on the build instance',
  user_data: 'replaces Image Builder\'s SSM bootstrap: move the commands into a provisioner',
  user_data_file: 'replaces Image Builder\'s SSM bootstrap (a WinRM bootstrap is not needed)',
  imds_support: 'inherited from the parent image',
  ena_support: 'inherited from the parent image',
  sriov_support: 'inherited from the parent image',
  boot_mode: 'inherited from the parent image',
  tpm_support: 'inherited from the parent image',
  temporary_iam_instance_profile_policy_document: 'GoldenImage creates the build role; grant it more with image.role.addToPrincipalPolicy',
  vpc_filter: 'resolve at synth with ec2.Vpc.fromLookup and pass vpc:',
  subnet_filter: 'pass vpc: and subnetSelection:',
  security_group_filter: 'pass securityGroups:',
  subnet_id: 'without vpc_id the VPC is unknown at import: pass vpc: (ec2.Vpc.fromLookup) and subnetSelection: { subnets: [ec2.Subnet.fromSubnetId(...)] }',
  security_group_id: 'without vpc_id the VPC is unknown at import: pass vpc: and securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(...)]',
  security_group_ids: 'without vpc_id the VPC is unknown at import: pass vpc: and securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(...)]',
  placement: 'no equivalent in the library yet',
  tenancy: 'no equivalent in the library yet',
  fast_launch: 'no equivalent in the library yet',
  profile: 'CloudFormation deploys with your CDK credentials',
  assume_role: 'CloudFormation deploys with your CDK credentials',
  custom_endpoint_ec2: 'no equivalent',
  aws_polling: 'no equivalent',
  ami_block_device_mappings: 'Image Builder has one block device list for the build and the AMI',
  deprecate_at: 'a fixed date has no equivalent: the pipeline\'s keepImages retention deprecates by age or count',
  hcp_packer_registry: 'no HCP registry: Image Builder keeps image versions',
};

/** Blocks that appear once (HCL2 gives every nested block as a list, JSON an object). */
const SINGLE_BLOCKS = ['metadata_options', 'source_ami_filter', 'assume_role', 'placement', 'aws_polling', 'vpc_filter', 'subnet_filter', 'security_group_filter', 'fast_launch', 'temporary_iam_instance_profile_policy_document'];

export function mapBuilder(source: PackerSource, ctx: MappingContext): BuilderCode {
  const c: Record<string, unknown> = { ...source.config };
  for (const key of SINGLE_BLOCKS) {
    if (Array.isArray(c[key]) && (c[key] as unknown[]).length === 1 && typeof (c[key] as unknown[])[0] === 'object') c[key] = (c[key] as unknown[])[0];
  }
  const props: string[] = [];
  const distribution: string[] = [];
  const done = new Set<string>();
  const mapped = (key: string, message = 'mapped') => {
    done.add(key);
    ctx.report('builder', source, key, 'mapped', message);
  };
  const approximate = (key: string, message: string) => {
    done.add(key);
    ctx.report('builder', source, key, 'approximate', message);
  };
  if (source.type !== 'amazon-ebs') {
    ctx.report('builder', source, source.type, source.type === 'amazon-ebssurrogate' || source.type === 'amazon-instance' ? 'approximate' : 'unsupported',
      'imported as an EBS-backed image built by Image Builder');
  }
  const windows = c.communicator === 'winrm' || /windows/i.test(JSON.stringify(c.source_ami_filter ?? '')) || /windows/i.test(String(c.ami_name ?? ''));

  props.push(`parentImage: ${parentImage(source, c, ctx, windows, done)}`);
  if (isSet(c.ami_name)) {
    // The amazon plugin renders ami_name's Go template functions in HCL2 templates too.
    const name = translateAmiName(toBuildVariables(String(c.ami_name))).name;
    if (hasBuildVariable(name)) {
      props.push(`amiName: ${ctx.string(name)}`);
      mapped('ami_name', 'build time and UUID become Image Builder\'s build variables');
    } else {
      // Each bake makes a new AMI; EC2 refuses a second AMI with a name in use (Packer needed -force).
      props.push(`amiName: ${ctx.string(`${name}-${BUILD_DATE}`)}`);
      approximate('ami_name', 'a fixed name: the build date is appended so every bake\'s AMI name is unique');
    }
  }
  if (isSet(c.ami_description)) {
    props.push(`description: ${ctx.string(String(c.ami_description))}`);
    mapped('ami_description');
  }
  if (isSet(c.tags)) {
    const tags = Object.entries(c.tags as Record<string, unknown>);
    const runtime = tags.filter(([, v]) => /\{\{\s*\./.test(String(v)));
    const kept = tags.filter(([, v]) => !/\{\{\s*\./.test(String(v)));
    if (kept.length) props.push(`amiTags: { ${kept.map(([k, v]) => `${JSON.stringify(k)}: ${ctx.string(toBuildVariables(String(v)))}`).join(', ')} }`);
    if (runtime.length) approximate('tags', `${runtime.map(([k]) => k).join(', ')}: builder data ({{ .SourceAMI }}...) has no equivalent; the parent image is recorded on the Image Builder image`);
    else mapped('tags');
  }
  if (isSet(c.instance_type)) {
    props.push(`instanceTypes: [new ${ctx.use('aws-cdk-lib/aws-ec2', 'InstanceType')}(${ctx.string(String(c.instance_type))})]`);
    mapped('instance_type');
  }
  const root = rootVolume(source, ctx, done);
  if (root) props.push(`rootVolume: ${root}`);
  if (isSet(c.metadata_options)) {
    const m = c.metadata_options as Record<string, unknown>;
    if (m.http_tokens === 'required') mapped('metadata_options', 'IMDSv2 is the library\'s default');
    else approximate('metadata_options', 'the library requires IMDSv2 on build instances');
  }
  network(source, c, ctx, props, done);
  if (isSet(c.iam_instance_profile)) {
    const Role = ctx.use('aws-cdk-lib/aws-iam', 'Role');
    props.push(`role: ${Role}.fromRoleName(this, ${ctx.string(`${pascal(source.shortName)}BuildRole`)}, ${ctx.string(String(c.iam_instance_profile))})`);
    approximate('iam_instance_profile', 'the role is assumed to have the instance profile\'s name (GoldenImage makes a profile for it and adds the Image Builder policies it needs)');
  }
  if (isSet(c.ssh_keypair_name)) {
    props.push(`keyPair: ${ctx.use('aws-cdk-lib/aws-ec2', 'KeyPair')}.fromKeyPairName(this, ${ctx.string(`${source.shortName}KeyPair`)}, ${ctx.string(String(c.ssh_keypair_name))})`);
    mapped('ssh_keypair_name', 'debug access only');
  }
  if (isSet(c.remote_folder)) {
    props.push(`workingDirectory: ${ctx.string(String(c.remote_folder))}`);
    mapped('remote_folder');
  }

  // Distribution: regions, launch permissions, KMS keys per region.
  // The first distribution is the build region's: a copy listed for it too would be a second entry.
  const regions = commaList(c.ami_regions).filter(r => r !== c.region);
  const permissions: string[] = [];
  if (isSet(c.ami_users)) permissions.push(`accounts: ${JSON.stringify(commaList(c.ami_users))}`);
  if (commaList(c.ami_groups).includes('all')) permissions.push('public: true');
  if (isSet(c.ami_org_arns)) permissions.push(`organizationArns: ${JSON.stringify(commaList(c.ami_org_arns))}`);
  if (isSet(c.ami_ou_arns)) permissions.push(`organizationalUnitArns: ${JSON.stringify(commaList(c.ami_ou_arns))}`);
  for (const key of ['ami_users', 'ami_groups', 'ami_org_arns', 'ami_ou_arns']) if (isSet(c[key])) mapped(key, 'the pipeline\'s launch permissions');
  const regionKeys = (c.region_kms_key_ids ?? {}) as Record<string, string>;
  if (regions.length || permissions.length) {
    const launch = permissions.length ? `, launchPermissions: { ${permissions.join(', ')} }` : '';
    // The build region's entry only when it sets something (the AMI is there already).
    if (launch) distribution.push(`{ ${launch.slice(2)} }`);
    for (const region of regions) {
      const key = regionKeys[region] ? `, kmsKey: ${ctx.use('aws-cdk-lib/aws-kms', 'Key')}.fromKeyArn(this, ${ctx.string(`${source.shortName}Key${region}`)}, ${ctx.string(regionKeys[region])})` : '';
      distribution.push(`{ region: ${ctx.string(region)}${key}${launch} }`);
    }
    if (isSet(c.ami_regions)) mapped('ami_regions', 'one distribution per region');
    if (Object.keys(regionKeys).length) mapped('region_kms_key_ids');
  }

  for (const [key, value] of Object.entries(c)) {
    if (done.has(key) || !isSet(value)) continue;
    if (CREDENTIAL_KEYS.has(key)) {
      ctx.report('builder', source, key, 'unsupported', 'AWS credentials are never copied: remove them from the template and rotate them; the build uses the instance role and CloudFormation your CDK credentials');
    } else if (key in HANDLED_BY_LIBRARY) {
      ctx.report('builder', source, key, 'mapped', HANDLED_BY_LIBRARY[key]);
    } else if (key in UNSUPPORTED) {
      ctx.report('builder', source, key, 'unsupported', UNSUPPORTED[key]);
    } else if (/^(ssh|winrm)_|^pause_before_connecting$|^session_manager_port$/.test(key)) {
      ctx.report('builder', source, key, 'unsupported', 'communicator setting: Image Builder reaches the instance through SSM');
    } else {
      ctx.report('builder', source, key, 'unsupported', 'no equivalent');
    }
  }
  return { props, distribution, windows };
}

function parentImage(source: PackerSource, c: Record<string, unknown>, ctx: MappingContext, windows: boolean, done: Set<string>): string {
  const ParentImage = ctx.use('cdk-immutable-infra', 'ParentImage');
  const os = windows ? `{ osFamily: ${ctx.use('cdk-immutable-infra', 'OsFamily')}.WINDOWS }` : '';
  const report = (key: string, status: 'mapped' | 'approximate' | 'unsupported', message: string) => {
    done.add(key);
    ctx.report('builder', source, key, status, message);
  };
  const ami = typeof c.source_ami === 'string' ? c.source_ami : undefined;
  if (ami?.startsWith(DATA_PREFIX)) {
    const data = JSON.parse(ami.slice(DATA_PREFIX.length)) as { type: string; config: Record<string, unknown> };
    if (data.type === 'amazon-parameterstore') {
      report('source_ami', 'mapped', 'data "amazon-parameterstore": resolved by Image Builder at build time');
      return `${ParentImage}.fromSsmParameter(${ctx.string(String(data.config.name))}${os ? `, ${os}` : ''})`;
    }
    report('source_ami', 'mapped', 'data "amazon-ami": a synth-time lookup pinned in cdk.context.json');
    return lookup(data.config, ctx, os);
  }
  if (ami && /^ami-[0-9a-f]+$/.test(ami)) {
    report('source_ami', 'mapped', 'the AMI must exist in the stack\'s region');
    return `${ParentImage}.fromAmiId(${ctx.string(ami)}${os ? `, ${os}` : ''})`;
  }
  const filterName = String(((c.source_ami_filter as Record<string, unknown> | undefined)?.filters as Record<string, unknown> | undefined)?.name ?? '');
  if (isSet(c.source_ami_filter) && filterName !== '') {
    const filter = c.source_ami_filter as Record<string, unknown>;
    const name = filterName;
    const owners = commaList(filter.owners);
    if (owners.includes('amazon') && /^\*?amzn2-ami-hvm-\*/.test(name)) {
      report('source_ami_filter', 'mapped', 'the AWS-managed Amazon Linux 2 image (latest at build time)');
      return `${ParentImage}.amazonLinux2()`;
    }
    if (owners.includes('amazon') && /^al2023-ami-2023/.test(name)) {
      report('source_ami_filter', 'mapped', 'the AWS-managed Amazon Linux 2023 image (latest at build time)');
      return `${ParentImage}.amazonLinux2023()`;
    }
    report('source_ami_filter', 'mapped', 'a synth-time lookup pinned in cdk.context.json (most_recent)');
    return lookup(filter, ctx, os);
  }
  if (isSet(c.source_ami_filter)) report('source_ami_filter', 'unsupported', 'the filter has no name pattern (a variable without a value?): pass the variable, or set the parent image in the code');
  report('source_ami', 'unsupported', `the parent image ${JSON.stringify(ami ?? '')} cannot be resolved at import time: the code reads its id from an SSM parameter you create`);
  return `${ParentImage}.fromSsmParameter(${ctx.string(`/cdk-immutable-infra/import-packer/${source.shortName.replace(/[^A-Za-z0-9_.-]+/g, '-')}/parent-ami-id`)}${os ? `, ${os}` : ''})`;
}

function lookup(filter: Record<string, unknown>, ctx: MappingContext, os: string): string {
  const filters = { ...(filter.filters as Record<string, unknown> ?? {}) };
  const name = String(filters.name ?? '*');
  delete filters.name;
  const props = [`name: ${ctx.string(name)}`];
  const owners = commaList(filter.owners);
  if (owners.length) props.push(`owners: ${JSON.stringify(owners)}`);
  if (Object.keys(filters).length) {
    props.push(`filters: { ${Object.entries(filters).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(stringList(v))}`).join(', ')} }`);
  }
  if (os) props.push(`osFamily: ${ctx.use('cdk-immutable-infra', 'OsFamily')}.WINDOWS`);
  return `${ctx.use('cdk-immutable-infra', 'ParentImage')}.lookup({ ${props.join(', ')} })`;
}

/** The root device of the launch block device mappings (encryption, KMS key, size, type). */
function rootVolume(source: PackerSource, ctx: MappingContext, done: Set<string>): string | undefined {
  const c = source.config;
  const mappings = (Array.isArray(c.launch_block_device_mappings) ? c.launch_block_device_mappings : []) as Array<Record<string, unknown>>;
  const props: string[] = [];
  if (mappings.length) {
    const root = mappings[0];
    if (isSet(root.volume_size)) props.push(`sizeGiB: ${Number(root.volume_size)}`);
    if (isSet(root.volume_type)) props.push(`volumeType: ${ctx.use('aws-cdk-lib/aws-ec2', 'EbsDeviceVolumeType')}.${String(root.volume_type).toUpperCase()}`);
    if (isSet(root.iops)) props.push(`iops: ${Number(root.iops)}`);
    if (isSet(root.throughput)) props.push(`throughput: ${Number(root.throughput)}`);
    if (isSet(root.device_name)) props.push(`deviceName: ${ctx.string(String(root.device_name))}`);
    done.add('launch_block_device_mappings');
    ctx.report('builder', source, 'launch_block_device_mappings', mappings.length > 1 ? 'approximate' : 'mapped',
      mappings.length > 1 ? 'the first device becomes the root volume; further volumes have no equivalent in the library yet' : 'the root volume');
  }
  if (isSet(c.kms_key_id)) {
    props.push(`kmsKey: ${ctx.use('aws-cdk-lib/aws-kms', 'Key')}.fromKeyArn(this, ${ctx.string(`${source.shortName}RootKey`)}, ${ctx.string(String(c.kms_key_id))})`);
    done.add('kms_key_id');
    ctx.report('builder', source, 'kms_key_id', 'mapped', 'the root volume\'s KMS key');
  } else if (c.encrypt_boot !== true && sharesAmi(c)) {
    // EC2 shares no AMI encrypted with the default EBS key and makes no encrypted AMI public;
    // Packer builds unencrypted unless encrypt_boot is set, so the import keeps it that way.
    props.push('encrypted: false');
    ctx.report('builder', source, 'encrypt_boot', 'approximate',
      'the AMI is shared, and one encrypted with the default EBS key cannot be: the root volume stays unencrypted, as Packer builds it; give rootVolume.kmsKey to encrypt it');
  }
  return props.length ? `{ ${props.join(', ')} }` : undefined;
}

/** The template shares the AMI with other accounts, organizations or OUs, or makes it public. */
function sharesAmi(c: Record<string, unknown>): boolean {
  return isSet(c.ami_users) || isSet(c.ami_org_arns) || isSet(c.ami_ou_arns) || commaList(c.ami_groups).includes('all');
}

/** vpc_id (+ subnet_id, security groups): a synth-time VPC lookup, the subnet and groups by id. */
function network(source: PackerSource, c: Record<string, unknown>, ctx: MappingContext, props: string[], done: Set<string>): void {
  if (!isSet(c.vpc_id)) return;
  const ec2 = (name: string) => ctx.use('aws-cdk-lib/aws-ec2', name);
  const id = pascal(source.shortName);
  props.push(`vpc: ${ec2('Vpc')}.fromLookup(this, ${ctx.string(`${id}Vpc`)}, { vpcId: ${ctx.string(String(c.vpc_id))} })`);
  done.add('vpc_id');
  ctx.report('builder', source, 'vpc_id', 'mapped', 'a synth-time lookup pinned in cdk.context.json');
  if (isSet(c.subnet_id)) {
    props.push(`subnetSelection: { subnets: [${ec2('Subnet')}.fromSubnetId(this, ${ctx.string(`${id}Subnet`)}, ${ctx.string(String(c.subnet_id))})] }`);
    done.add('subnet_id');
    ctx.report('builder', source, 'subnet_id', 'mapped', 'the build instance\'s subnet');
  }
  const groups = [...commaList(c.security_group_id), ...commaList(c.security_group_ids)];
  if (groups.length) {
    props.push(`securityGroups: [${groups.map((g, i) => `${ec2('SecurityGroup')}.fromSecurityGroupId(this, ${ctx.string(`${id}SecurityGroup${i}`)}, ${ctx.string(g)})`).join(', ')}]`);
    for (const key of ['security_group_id', 'security_group_ids']) {
      if (isSet(c[key])) {
        done.add(key);
        ctx.report('builder', source, key, 'mapped', 'the build instance\'s security groups');
      }
    }
  }
}
