import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { LaunchPermissionOptions, LaunchTemplateOutputOptions, RegionDistributionOptions, SsmParameterOutputOptions } from './distribution-options';
import type { FastLaunchSettings, ImageDistribution, LaunchPermissionSettings, LaunchTemplateSettings, RegionOutputs, SsmParameterSettings } from './image-distribution';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';
import { AMI_TAGS, checkImageBuilderTags } from '../private/image-builder-tags';

/** An AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An AWS region name. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const LAUNCH_TEMPLATE_ID = /^lt-[a-z0-9-_]{17}$/;
const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]+$/;
const PARAMETER_NAME_MAX = 1011;
// https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_Distribution.html (licenseConfigurationArns)
const LICENSE_CONFIGURATION_ARN = /^arn:aws[a-z-]*:license-manager:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:license-configuration:lic-[a-z0-9-_]{32}$/;
const FAST_LAUNCH_MIN_PARALLEL = 6;
/** EC2's default quota of parallel Fast Launch launches, across all AMIs of an account and region. */
const FAST_LAUNCH_PARALLEL_QUOTA = 40;
/** FastLaunchSnapshotConfiguration.targetResourceCount: 1 to 10,000. */
const FAST_LAUNCH_MAX_SNAPSHOTS = 10000;

/** How the AMI's snapshots are encrypted in the build region. */
export interface AmiEncryption {
  readonly encrypted: boolean;
  /** Every encrypted volume names a customer managed key (none falls back to the default EBS key). */
  readonly customerManagedKey: boolean;
}

/**
 * Checks a pipeline's distribution entries against each other and against what the image's
 * distribution already holds, and converts them to the distribution's settings.
 */
export function regionOutputs(scope: IConstruct, distribution: ImageDistribution, entries: RegionDistributionOptions[], osFamily: OsFamily,
  encryption: AmiEncryption = { encrypted: false, customerManagedKey: false }): RegionOutputs[] {
  const seen = new Map<string, string>();
  return entries.map((entry, index) => {
    const prop = `distribution[${index}]`;
    const region = entry.region;
    if (region !== undefined && !Token.isUnresolved(region) && !REGION.test(region)) {
      invalidProp(scope, `${prop}.region`, region, 'it is not an AWS region name', 'Give a region such as \'eu-west-1\', or leave region out for the build region');
    }
    const key = distribution.isBuildRegion(region) ? 'the build region' : region!;
    const clash = seen.get(key);
    if (clash) {
      invalidProp(scope, `${prop}.region`, region ?? '(the build region)', `${clash} is for ${key} too, and Image Builder takes one entry per region`,
        'Merge the two entries into one');
    }
    if (distribution.hasRegion(region)) {
      invalidProp(scope, `${prop}.region`, region ?? '(the build region)',
        `another pipeline of this image already distributes to ${key}; an image has one distribution configuration, shared by its pipelines`,
        'Give each region\'s settings in one pipeline only');
    }
    seen.set(key, prop);
    if (key === 'the build region' && !hasOutputs(entry)) {
      invalidProp(scope, prop, entry, 'an entry for the build region with no settings changes nothing: the AMI is there already',
        'Add outputs (ssmParameters, launchTemplates, copyToAccounts, launchPermissions, amiTags, kmsKey, fastLaunch, licenseConfigurationArns), or remove the entry');
    }
    const outputs = checkedEntry(scope, prop, entry, osFamily);
    checkMergedTags(scope, prop, distribution, entry);
    checkSharing(scope, prop, entry, encryption, distribution.isBuildRegion(region));
    return outputs;
  });
}

/**
 * Where an encrypted AMI may go. EC2: "The encrypted snapshots must be encrypted with a customer
 * managed key. You can't share AMIs that are backed by snapshots that are encrypted with the
 * default AWS managed key", and only unencrypted snapshots are shared publicly
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html,
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html). A copy
 * in another region is encrypted with the entry's kmsKey, or that region's default key; a copy
 * to other accounts is made from the build region's AMI, whose key those accounts must be able
 * to use (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html).
 */
function checkSharing(scope: IConstruct, prop: string, entry: RegionDistributionOptions, encryption: AmiEncryption,
  buildRegion: boolean): void {
  if (!encryption.encrypted) {
    return;
  }
  const permissions = entry.launchPermissions;
  if (permissions?.public) {
    invalidProp(scope, `${prop}.launchPermissions.public`, true, 'the AMI\'s snapshots are encrypted, and EC2 makes only unencrypted AMIs public',
      'Share with accounts, organizations or OUs instead, or build the image unencrypted (rootVolume: { encrypted: false })');
  }
  const own = Stack.of(scope).account;
  const others = (accounts: string[] | undefined) => (accounts ?? []).filter(a => Token.isUnresolved(a) || a !== own);
  const shares = others(permissions?.accounts).length > 0 || (permissions?.organizationArns?.length ?? 0) > 0
    || (permissions?.organizationalUnitArns?.length ?? 0) > 0;
  const regionKeyIsCustomer = buildRegion ? encryption.customerManagedKey : entry.kmsKey !== undefined;
  if (shares && !regionKeyIsCustomer) {
    invalidProp(scope, `${prop}.launchPermissions`, permissions, `the AMI${buildRegion ? '' : ' copy in this region'} is encrypted with the default EBS key, `
      + 'and EC2 shares AMIs only when their snapshots are encrypted with a customer managed key',
    buildRegion ? 'Give rootVolume.kmsKey (and each encrypted data volume\'s kmsKey) a customer managed key the accounts may use'
      : 'Give this entry a kmsKey the accounts may use');
  }
  if (others(entry.copyToAccounts).length > 0 && !encryption.customerManagedKey) {
    invalidProp(scope, `${prop}.copyToAccounts`, entry.copyToAccounts, 'the AMI is encrypted with the default EBS key, which other accounts cannot use to copy it',
      'Give rootVolume.kmsKey (and each encrypted data volume\'s kmsKey) a customer managed key the target accounts may use');
  }
}

/** Each map is checked on its own; a region's AMI gets both, in one AmiTags of at most 50. */
function checkMergedTags(scope: IConstruct, prop: string, distribution: ImageDistribution, entry: RegionDistributionOptions): void {
  if (!entry.amiTags || Object.keys(entry.amiTags).length === 0) {
    return;
  }
  const count = Object.keys(distribution.regionAmiTags(entry.amiTags)).length;
  if (count > AMI_TAGS.max) {
    invalidProp(scope, `${prop}.amiTags`, `${count} tags with the image's amiTags`,
      `the AMI in this region gets the image's amiTags and these, and Image Builder takes at most ${AMI_TAGS.max} ${AMI_TAGS.what}`,
      'Give fewer tags here or in the image\'s amiTags (a key in both counts once)');
  }
}

function hasOutputs(entry: RegionDistributionOptions): boolean {
  const permissions = entry.launchPermissions;
  return Boolean(entry.kmsKey || entry.copyToAccounts?.length || entry.ssmParameters?.length || entry.launchTemplates?.length
    || entry.fastLaunch || entry.licenseConfigurationArns?.length
    || (entry.amiTags && Object.keys(entry.amiTags).length > 0)
    || (permissions && (permissions.public || permissions.accounts?.length
      || permissions.organizationArns?.length || permissions.organizationalUnitArns?.length)));
}

function checkedEntry(scope: IConstruct, prop: string, entry: RegionDistributionOptions, osFamily: OsFamily): RegionOutputs {
  const targetAccounts = entry.copyToAccounts ?? [];
  targetAccounts.forEach((account, i) => checkAccount(scope, `${prop}.copyToAccounts[${i}]`, account));
  checkImageBuilderTags(scope, `${prop}.amiTags`, entry.amiTags ?? {}, AMI_TAGS);
  return {
    region: entry.region,
    kmsKeyArn: entry.kmsKey?.keyArn,
    targetAccountIds: targetAccounts.length > 0 ? targetAccounts : undefined,
    launchPermission: entry.launchPermissions ? launchPermission(scope, `${prop}.launchPermissions`, entry.launchPermissions) : undefined,
    amiTags: entry.amiTags,
    ssmParameters: entry.ssmParameters?.map((p, i) => ssmParameter(scope, `${prop}.ssmParameters[${i}]`, p, targetAccounts)),
    launchTemplates: entry.launchTemplates?.map((t, i) => launchTemplate(scope, `${prop}.launchTemplates[${i}]`, t, entry.region)),
    fastLaunch: entry.fastLaunch ? fastLaunch(scope, `${prop}.fastLaunch`, entry, osFamily) : undefined,
    licenseConfigurationArns: entry.licenseConfigurationArns?.map((arn, i) => {
      checkPattern(scope, `${prop}.licenseConfigurationArns[${i}]`, arn, LICENSE_CONFIGURATION_ARN, 'it is not a License Manager license configuration ARN',
        'Give arn:aws:license-manager:<region>:<account>:license-configuration:lic-<id>');
      return arn;
    }),
  };
}

/**
 * Fast Launch pre-provisions Windows instances (Sysprep, first boot). What EC2 and Image Builder
 * document, and the library checks at synth:
 * - EC2 takes 6 or more parallel launches, and by default 40 across all AMIs of an account in
 *   a region (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableFastLaunch.html,
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/win-start-fast-launch-prereqs.html);
 *   a quota can be raised, so more than 40 warns;
 * - 1 to 10,000 pre-provisioned snapshots
 *   (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_FastLaunchSnapshotConfiguration.html);
 * - "Image Builder doesn't support cross-account distribution for AMIs with EC2 Fast Launch
 *   pre-enabled. EC2 Fast Launch must be enabled from the destination account"
 *   (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html#ami-distribution-prereqs-fast-launch):
 *   Fast Launch only in the stack's account, and a warning where the entry copies the AMI to
 *   other accounts as well, since the note may cover those copies too;
 * - an AMI encrypted with a customer managed key needs the key to let EC2 Fast Launch's
 *   service-linked role use it (same EC2 prerequisites page): a warning, since the library
 *   cannot edit a key policy it may not own.
 * The permissions Image Builder needs for it come with the execution role (ImageBuildParts).
 */
function fastLaunch(scope: IConstruct, prop: string, entry: RegionDistributionOptions, osFamily: OsFamily): FastLaunchSettings {
  const options = entry.fastLaunch!;
  if (osFamily !== OsFamily.WINDOWS) {
    invalidProp(scope, prop, options, `EC2 Fast Launch pre-provisions Windows AMIs only, and this image is ${osFamily}`, 'Remove fastLaunch, or build the image from a Windows parent');
  }
  const parallel = options.maxParallelLaunches;
  if (parallel !== undefined && !Token.isUnresolved(parallel)) {
    if (!Number.isInteger(parallel) || parallel < FAST_LAUNCH_MIN_PARALLEL) {
      invalidProp(scope, `${prop}.maxParallelLaunches`, parallel, `EC2 launches ${FAST_LAUNCH_MIN_PARALLEL} or more instances at once to pre-provision a Windows AMI`,
        `Give a whole number of ${FAST_LAUNCH_MIN_PARALLEL} or more`);
    }
    if (parallel > FAST_LAUNCH_PARALLEL_QUOTA) {
      Annotations.of(scope).addWarningV2('cdk-immutable-infra:fastLaunchQuota', `${prop}.maxParallelLaunches is ${parallel}, above EC2's default quota of `
        + `${FAST_LAUNCH_PARALLEL_QUOTA} parallel Fast Launch launches across all AMIs of an account in a region: raise the quota first, `
        + `or give ${FAST_LAUNCH_PARALLEL_QUOTA} or fewer`);
    }
  }
  const snapshots = options.targetSnapshots;
  if (snapshots !== undefined && !Token.isUnresolved(snapshots)
    && (!Number.isInteger(snapshots) || snapshots < 1 || snapshots > FAST_LAUNCH_MAX_SNAPSHOTS)) {
    invalidProp(scope, `${prop}.targetSnapshots`, snapshots, 'Image Builder keeps a whole number of 1 to 10,000 pre-provisioned snapshots',
      'Give how many pre-provisioned snapshots to keep ready');
  }
  const account = options.account;
  const ownAccount = Stack.of(scope).account;
  if (account !== undefined) {
    checkAccount(scope, `${prop}.account`, account);
    if (!Token.isUnresolved(account) && !Token.isUnresolved(ownAccount) && account !== ownAccount) {
      invalidProp(scope, `${prop}.account`, account, `Image Builder enables Fast Launch only in the account that builds the AMI (${ownAccount}); `
        + 'EC2 Fast Launch must be enabled from the destination account', 'Leave account out, and enable Fast Launch on the copy from the other account');
    }
  }
  if ((entry.copyToAccounts ?? []).length > 0) {
    Annotations.of(scope).addWarningV2('cdk-immutable-infra:fastLaunchCopies', `${prop}: this entry also copies the AMI to other accounts (copyToAccounts), `
      + 'and Image Builder documents that it does not support cross-account distribution of AMIs with Fast Launch pre-enabled. '
      + 'If builds fail in distribution, take copyToAccounts or fastLaunch out of this entry');
  }
  if (entry.kmsKey) {
    Annotations.of(scope).addWarningV2('cdk-immutable-infra:fastLaunchKey', `${prop}: the AMI in this region is encrypted with ${entry.kmsKey.node.path}; `
      + 'EC2 Fast Launch needs its service-linked role (AWSServiceRoleForEC2FastLaunch) to be allowed to use a customer managed key. '
      + 'Grant it in the key policy');
  }
  const template = options.launchTemplate ? launchTemplate(scope, `${prop}.launchTemplate`, { launchTemplate: options.launchTemplate }, entry.region) : undefined;
  return { accountId: account, launchTemplateId: template?.launchTemplateId, maxParallelLaunches: parallel, targetResourceCount: snapshots };
}

function launchPermission(scope: IConstruct, prop: string, options: LaunchPermissionOptions): LaunchPermissionSettings {
  (options.accounts ?? []).forEach((account, i) => {
    if (!Token.isUnresolved(account) && account.toLowerCase() === 'all') {
      invalidProp(scope, `${prop}.accounts[${i}]`, account, '\'all\' would make the AMI public, which the library only does when asked explicitly',
        'Set launchPermissions.public to true if everyone may launch this AMI; otherwise list account ids');
    }
    checkAccount(scope, `${prop}.accounts[${i}]`, account);
  });
  (options.organizationArns ?? []).forEach((arn, i) => checkPattern(scope, `${prop}.organizationArns[${i}]`, arn, ORGANIZATION_ARN,
    'it is not an organization ARN', 'Give arn:aws:organizations::<management account>:organization/o-<id>'));
  (options.organizationalUnitArns ?? []).forEach((arn, i) => checkPattern(scope, `${prop}.organizationalUnitArns[${i}]`, arn, OU_ARN,
    'it is not an organizational unit ARN', 'Give arn:aws:organizations::<management account>:ou/o-<id>/ou-<id>'));
  if (options.public) {
    Annotations.of(scope).addWarningV2('cdk-immutable-infra:publicAmi',
      `${prop}.public is true: anyone can launch this image's AMI. Make sure it holds nothing private`);
  }
  return {
    userIds: options.accounts,
    userGroups: options.public ? ['all'] : undefined,
    organizationArns: options.organizationArns,
    organizationalUnitArns: options.organizationalUnitArns,
  };
}

function ssmParameter(scope: IConstruct, prop: string, options: SsmParameterOutputOptions, targetAccounts: string[]): SsmParameterSettings {
  const name = options.parameterName;
  if (!Token.isUnresolved(name)) {
    if (name.length === 0 || name.length > PARAMETER_NAME_MAX || !PARAMETER_NAME.test(name)) {
      invalidProp(scope, `${prop}.parameterName`, name, `a parameter name is 1 to ${PARAMETER_NAME_MAX} letters, digits and _ . - /`,
        'Give a name such as /golden/web/latest');
    }
    if (name.includes('/') && !name.startsWith('/')) {
      invalidProp(scope, `${prop}.parameterName`, name, 'a name with a hierarchy must start with \'/\'', `Write /${name}`);
    }
    if (/^\/?(aws|ssm)/i.test(name)) {
      invalidProp(scope, `${prop}.parameterName`, name, 'names starting with aws or ssm are reserved by Systems Manager', 'Choose another first path segment');
    }
  }
  const account = options.account;
  if (account !== undefined) {
    checkAccount(scope, `${prop}.account`, account);
    if (!Token.isUnresolved(account) && !targetAccounts.includes(account)) {
      invalidProp(scope, `${prop}.account`, account, 'Image Builder writes a parameter in another account only when the AMI is copied to that account',
        `Add ${account} to this region's copyToAccounts, or leave account out for the stack's account`);
    }
  }
  return { parameterName: name, amiAccountId: account, dataType: options.dataType ?? ssm.ParameterDataType.AWS_EC2_IMAGE };
}

/**
 * A launch template for the entry's region (`region` undefined: the build region). Launch
 * templates are regional: one the app defines must be in that region (an imported one's
 * region is the importing stack's, which says nothing, and is not checked).
 */
function launchTemplate(scope: IConstruct, prop: string, options: LaunchTemplateOutputOptions, region: string | undefined): LaunchTemplateSettings {
  const id = options.launchTemplate.launchTemplateId;
  const templateRegion = options.launchTemplate.env.region;
  const entryRegion = region ?? Stack.of(scope).region;
  const defined = options.launchTemplate.node.defaultChild instanceof ec2.CfnLaunchTemplate;
  if (defined && !Token.isUnresolved(templateRegion) && !Token.isUnresolved(entryRegion) && templateRegion !== entryRegion) {
    invalidProp(scope, prop, options.launchTemplate.node.path, `the launch template is in ${templateRegion}, and launch templates are regional: this entry is for ${entryRegion}`,
      `Give a launch template of ${entryRegion} (by id, with LaunchTemplate.fromLaunchTemplateAttributes)`);
  }
  if (id === undefined) {
    invalidProp(scope, `${prop}.launchTemplate`, options.launchTemplate.node.path, 'Image Builder updates a launch template by its id, and this one has none (imported by name?)',
      'Import it with LaunchTemplate.fromLaunchTemplateAttributes({ launchTemplateId })');
  }
  checkPattern(scope, `${prop}.launchTemplate`, id, LAUNCH_TEMPLATE_ID, 'it is not a launch template id', 'Give an id of the form lt-0123456789abcdef0');
  if (options.account !== undefined) {
    checkAccount(scope, `${prop}.account`, options.account);
  }
  return { launchTemplateId: id, accountId: options.account, setDefaultVersion: options.setDefaultVersion ?? true };
}

function checkAccount(scope: IConstruct, prop: string, account: string): void {
  checkPattern(scope, prop, account, ACCOUNT_ID, 'an AWS account id is 12 digits', 'Give the 12-digit account id');
}

function checkPattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, problem: string, fix: string): void {
  if (!Token.isUnresolved(value) && !pattern.test(value)) {
    invalidProp(scope, prop, value, problem, fix);
  }
}

