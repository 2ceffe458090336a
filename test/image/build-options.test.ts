import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RegionDistributionOptions } from '../../src/image/distribution-options';
import { GoldenImage } from '../../src/image/golden-image';
import { ParentImage } from '../../src/image/parent-image';
import { Provisioner } from '../../src/provisioning/provisioner';
import { ENV, errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

process.env.CDK_VALIDATION = 'false';

const LICENSE = 'arn:aws:license-manager:eu-west-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef';

function recipe(stack: Stack): any {
  return onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::ImageRecipe').props;
}

/** A Windows image with one PowerShell step, and a pipeline with the given distribution. */
function windowsPipeline(distribution: RegionDistributionOptions[]): { stack: Stack; template: Template } {
  const { stack, image } = imageStack({
    parentImage: ParentImage.windowsServer({ version: '2022' }),
    provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
    tests: [],
  });
  image.addPipeline('Rebake', { distribution });
  return { stack, template: Template.fromStack(stack) };
}

function distributions(template: Template): any[] {
  return onlyResource(template, 'AWS::ImageBuilder::DistributionConfiguration').props.Distributions;
}

describe('data volumes of the build instance', () => {
  test('mapped after the root volume, encrypted gp3 by default, with the settings given', () => {
    const { stack } = imageStack({
      dataVolumes: [
        { deviceName: '/dev/xvdb', sizeGiB: 100 },
        { deviceName: '/dev/xvdc', sizeGiB: 500, volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 4000 },
      ],
    });
    const mappings = recipe(stack).BlockDeviceMappings;
    expect(mappings).toHaveLength(3);
    expect(mappings[1]).toEqual({ DeviceName: '/dev/xvdb', Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeType: 'gp3', VolumeSize: 100 } });
    expect(mappings[2]).toEqual({ DeviceName: '/dev/xvdc', Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeType: 'io2', VolumeSize: 500, Iops: 4000 } });
  });

  test('a data volume is part of the recipe\'s version: adding one rebakes', () => {
    const version = (sizeGiB?: number) => recipe(imageStack(sizeGiB ? { dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB }] } : {}).stack).Version;
    expect(version()).not.toBe(version(100));
    expect(version(100)).not.toBe(version(200));
    expect(version(100)).toBe(version(100));
  });

  test('a KMS key, and an unencrypted volume warns', () => {
    const { stack } = imageStack({ dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB: 10, encrypted: false }] });
    expect(recipe(stack).BlockDeviceMappings[1].Ebs.Encrypted).toBe(false);
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage', Match.stringLikeRegexp('dataVolumes\\[0\\].encrypted is false'));
    const app = new App();
    const keyed = new Stack(app, 'Keyed', { env: ENV });
    const key = new kms.Key(keyed, 'Key');
    new GoldenImage(keyed, 'Image', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ name: 'noop', commands: ['true'] })],
      dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB: 10, kmsKey: key }],
    });
    expect(recipe(keyed).BlockDeviceMappings[1].Ebs.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  });

  test('bad data volumes fail synth with the path, the prop and the fix', () => {
    expect(errorOf(() => imageStack({ dataVolumes: [{ deviceName: '/dev/xvda', sizeGiB: 10 }] })))
      .toBe('Bake/WebImage: invalid dataVolumes[0].deviceName \'/dev/xvda\': the root volume has that device name. Give every data volume its own device name, other than the root device\'s');
    expect(errorOf(() => imageStack({ dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB: 10 }, { deviceName: '/dev/xvdb', sizeGiB: 20 }] })))
      .toMatch(/invalid dataVolumes\[1\]\.deviceName '\/dev\/xvdb': dataVolumes\[0\] has that device name/);
    expect(errorOf(() => imageStack({ dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB: 0 }] })))
      .toBe('Bake/WebImage: invalid dataVolumes[0].sizeGiB 0: Image Builder takes a volume of a whole number of GiB from 1 to 16000. Give a whole number of GiB');
    expect(errorOf(() => imageStack({ dataVolumes: [{ deviceName: 'disk two', sizeGiB: 5 }] })))
      .toMatch(/invalid dataVolumes\[0\]\.deviceName 'disk two': it is not a device name/);
  });
});

describe('user data override of the build instance', () => {
  test('base64-encoded into the recipe beside the SSM agent setting, part of its version, and Linux warns about the agent', () => {
    const script = '#!/bin/bash\nmkdir -p /data\n';
    const { stack } = imageStack({ userDataOverride: script });
    expect(recipe(stack).AdditionalInstanceConfiguration).toEqual({
      SystemsManagerAgent: { UninstallAfterBuild: false },
      UserDataOverride: Buffer.from(script).toString('base64'),
    });
    expect(recipe(stack).Version).not.toBe(recipe(imageStack().stack).Version);
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage', Match.stringLikeRegexp('userDataOverride replaces the user data with which Image Builder installs the SSM agent'));
    expect(recipe(imageStack().stack).AdditionalInstanceConfiguration).toEqual({ SystemsManagerAgent: { UninstallAfterBuild: false } });
  });

  test('empty or too long fails synth', () => {
    expect(errorOf(() => imageStack({ userDataOverride: '' })))
      .toBe('Bake/WebImage: invalid userDataOverride \'0 characters\': Image Builder takes 1 to 21847 characters once base64-encoded, and this is 0. Shorten the script, or move the work into a provisioner');
    expect(errorOf(() => imageStack({ userDataOverride: 'x'.repeat(17_000) })))
      .toMatch(/invalid userDataOverride '17000 characters': Image Builder takes 1 to 21847 characters once base64-encoded, and this is 22668/);
  });
});

describe('tags on the build instances', () => {
  test('the infrastructure configuration\'s ResourceTags, only when set', () => {
    const tagged = imageStack({ buildInstanceTags: { CostCenter: 'platform' } }).stack;
    expect(onlyResource(Template.fromStack(tagged), 'AWS::ImageBuilder::InfrastructureConfiguration').props.ResourceTags).toEqual({ CostCenter: 'platform' });
    expect(onlyResource(Template.fromStack(imageStack().stack), 'AWS::ImageBuilder::InfrastructureConfiguration').props.ResourceTags).toBeUndefined();
  });

  test('keys Image Builder keeps for itself, and more than 30 tags, fail synth', () => {
    expect(errorOf(() => imageStack({ buildInstanceTags: { Name: 'builder' } })))
      .toBe('Bake/WebImage: invalid buildInstanceTags \'Name\': Image Builder keeps the keys CreatedBy, Ec2ImageBuilderArn, Name, Tags for itself. Give another tag key');
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    expect(errorOf(() => imageStack({ buildInstanceTags: many }))).toMatch(/invalid buildInstanceTags '31 tags': Image Builder takes at most 30 build instance tags/);
  });

  test('AMI tags, description and the notification topic as Image Builder takes them', () => {
    expect(errorOf(() => imageStack({ amiTags: { 'aws:team': 'web' } }))).toMatch(/^Bake\/WebImage: invalid amiTags 'aws:team': a tag key is 1 to 128 letters/);
    expect(errorOf(() => imageStack({ description: 'd'.repeat(1025) }))).toMatch(/invalid description 'd+\.\.\.': Image Builder takes a description of 1 to 1,024 characters, and this one has 1025/);
    const { stack } = imageStack();
    const fifo = new sns.Topic(stack, 'Fifo', { fifo: true, topicName: 'builds' });
    expect(errorOf(() => imageStack({ notificationTopic: fifo }))).toMatch(/invalid notificationTopic 'Bake\/Fifo': Image Builder notifies standard topics only, and this one is FIFO/);
    expect(errorOf(() => pipelineStack({ distribution: [{ region: 'us-east-1', amiTags: { ['k'.repeat(129)]: 'v' } }] })))
      .toMatch(/invalid distribution\[0\]\.amiTags 'k+\.\.\.': a tag key is 1 to 128/);
  });

  test('reserved keys fail synth', () => {
    expect(errorOf(() => imageStack({ buildInstanceTags: { 'aws:owner': 'me' } })))
      .toBe('Bake/WebImage: invalid buildInstanceTags \'aws:owner\': a tag key is 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:. Give another tag key');
  });
});

describe('distribution: Windows Fast Launch and License Manager', () => {
  test('Fast Launch enabled with what was given; license configurations; nothing when unset', () => {
    const { template } = windowsPipeline([
      { fastLaunch: { maxParallelLaunches: 6, targetSnapshots: 10 }, licenseConfigurationArns: [LICENSE] },
      { region: 'us-east-1', fastLaunch: {} },
    ]);
    const [build, other] = distributions(template);
    expect(build.FastLaunchConfigurations).toEqual([{ Enabled: true, MaxParallelLaunches: 6, SnapshotConfiguration: { TargetResourceCount: 10 } }]);
    expect(build.LicenseConfigurationArns).toEqual([LICENSE]);
    expect(other.FastLaunchConfigurations).toEqual([{ Enabled: true }]);
    expect(other.LicenseConfigurationArns).toBeUndefined();
    const plain = distributions(windowsPipeline([{ region: 'us-east-1' }]).template);
    expect(plain[0].FastLaunchConfigurations).toBeUndefined();
  });

  test('a launch template by id, in the entry\'s region', () => {
    const { template } = windowsPipeline([{
      fastLaunch: {
        account: ENV.account,
        launchTemplate: ec2.LaunchTemplate.fromLaunchTemplateAttributes(new Stack(new App(), 'Other', { env: ENV }), 'Lt', { launchTemplateId: 'lt-0123456789abcdef0' }),
      },
    }]);
    expect(distributions(template)[0].FastLaunchConfigurations).toEqual([{ Enabled: true, AccountId: ENV.account, LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0' } }]);
  });

  test('the role Image Builder builds with gets EC2FastLaunchFullAccess, once, and the image and its pipelines run with it', () => {
    const { stack, image } = imageStack({
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
      tests: [],
    });
    image.addPipeline('Rebake', { distribution: [{ fastLaunch: {} }] });
    image.addPipeline('Other', { distribution: [{ region: 'us-east-1', fastLaunch: { maxParallelLaunches: 6 } }] });
    const template = Template.fromStack(stack);
    const roles = resourcesOf(template, 'AWS::IAM::Role').filter(r => JSON.stringify(r.props.ManagedPolicyArns ?? []).includes('EC2ImageBuilderExecutionPolicy'));
    expect(roles).toHaveLength(1);
    const managed = JSON.stringify(roles[0].props.ManagedPolicyArns);
    expect(managed.match(/EC2FastLaunchFullAccess/g)).toHaveLength(1);
    const arn = { 'Fn::GetAtt': [roles[0].id, 'Arn'] };
    for (const type of ['AWS::ImageBuilder::Image', 'AWS::ImageBuilder::ImagePipeline']) {
      for (const resource of resourcesOf(template, type)) {
        expect(resource.props.ExecutionRole).toEqual(arn);
      }
    }
    // cdk-nag 2 reads why the AWS-managed policy is there.
    const metadata = JSON.stringify(template.toJSON().Resources[roles[0].id].Metadata);
    expect(metadata).toContain('Policy::arn:<AWS::Partition>:iam::aws:policy/EC2FastLaunchFullAccess');
  });

  test('no Fast Launch, no execution role for it', () => {
    const { template } = windowsPipeline([{ region: 'us-east-1' }]);
    expect(JSON.stringify(template.toJSON())).not.toContain('EC2FastLaunchFullAccess');
  });

  test('warnings: copies to other accounts, a customer managed key, more parallel launches than the default quota', () => {
    const { stack, image } = imageStack({
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
      tests: [],
      rootVolume: { encrypted: false },
    });
    const key = new kms.Key(stack, 'AmiKey');
    image.addPipeline('Rebake', { distribution: [{ copyToAccounts: ['210987654321'], kmsKey: key, fastLaunch: { maxParallelLaunches: 41 } }] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings.find(w => w.includes('fastLaunchCopies'))).toMatch(/distribution\[0\]\.fastLaunch: this entry also copies the AMI to other accounts .*does not support cross-account distribution of AMIs with Fast Launch pre-enabled/);
    expect(warnings.find(w => w.includes('fastLaunchKey'))).toMatch(/encrypted with Bake\/AmiKey; EC2 Fast Launch needs its service-linked role \(AWSServiceRoleForEC2FastLaunch\)/);
    expect(warnings.find(w => w.includes('fastLaunchQuota'))).toMatch(/maxParallelLaunches is 41, above EC2's default quota of 40/);
    const quiet = Annotations.fromStack(windowsPipeline([{ fastLaunch: { maxParallelLaunches: 40 } }]).stack).findWarning('*', Match.stringLikeRegexp('fastLaunch'));
    expect(quiet).toEqual([]);
  });

  test('bad settings fail synth with the path, the prop and the fix', () => {
    expect(errorOf(() => pipelineStack({ distribution: [{ fastLaunch: {} }] })))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].fastLaunch {}: EC2 Fast Launch pre-provisions Windows AMIs only, and this image is Linux. '
        + 'Remove fastLaunch, or build the image from a Windows parent');
    expect(errorOf(() => windowsPipeline([{ fastLaunch: { maxParallelLaunches: 5 } }])))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].fastLaunch.maxParallelLaunches 5: EC2 launches 6 or more instances at once to pre-provision a Windows AMI. Give a whole number of 6 or more');
    expect(errorOf(() => windowsPipeline([{ fastLaunch: { targetSnapshots: 0 } }])))
      .toMatch(/invalid distribution\[0\]\.fastLaunch\.targetSnapshots 0: Image Builder keeps a whole number of 1 to 10,000/);
    expect(errorOf(() => windowsPipeline([{ fastLaunch: { targetSnapshots: 10001 } }])))
      .toMatch(/invalid distribution\[0\]\.fastLaunch\.targetSnapshots 10001: Image Builder keeps a whole number of 1 to 10,000 pre-provisioned snapshots/);
    expect(errorOf(() => windowsPipeline([{ copyToAccounts: ['210987654321'], fastLaunch: { account: '210987654321' } }])))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].fastLaunch.account \'210987654321\': Image Builder enables Fast Launch only in the account that builds the AMI '
        + '(123456789012); EC2 Fast Launch must be enabled from the destination account. Leave account out, and enable Fast Launch on the copy from the other account');
    // A template the app defines in the build region, given to the entry of another region.
    expect(errorOf(() => {
      const { stack, image } = imageStack({
        parentImage: ParentImage.windowsServer({ version: '2022' }),
        provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
        tests: [],
      });
      const launchTemplate = new ec2.LaunchTemplate(stack, 'Snapshots', { instanceType: new ec2.InstanceType('t3.xlarge') });
      image.addPipeline('Rebake', { distribution: [{ region: 'us-east-1', fastLaunch: { launchTemplate } }] });
    })).toBe('Bake/WebImage/Rebake: invalid distribution[0].fastLaunch.launchTemplate \'Bake/Snapshots\': the launch template is in eu-west-1, and launch templates are regional: '
      + 'this entry is for us-east-1. Give a launch template of us-east-1 (by id, with LaunchTemplate.fromLaunchTemplateAttributes)');
    expect(errorOf(() => pipelineStack({ distribution: [{ licenseConfigurationArns: ['lic-123'] }] })))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].licenseConfigurationArns[0] \'lic-123\': it is not a License Manager license configuration ARN. '
        + 'Give arn:aws:license-manager:<region>:<account>:license-configuration:lic-<id>');
  });
});

describe('components per recipe', () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => Provisioner.shell({ name: `step-${i}`, commands: ['true'] }));
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('tooManyComponents')).map(w => String(w.entry.data));

  test('more than Image Builder\'s default 20 warns, counting the SSM agent check', () => {
    expect(warnings(imageStack({ provisioners: steps(19), tests: [] }).stack)).toEqual([]);
    const [warning] = warnings(imageStack({ provisioners: steps(20), tests: [] }).stack);
    expect(warning).toMatch(/the recipe has 21 components \(one per provisioner, validation and test, and the SSM agent check\), and Image Builder takes 20 by default/);
  });
});

describe('build components', () => {
  test('tests alone, without the SSM agent check, make no build component and are refused', () => {
    expect(errorOf(() => imageStack({ provisioners: [], tests: [Provisioner.shell({ name: 'check', commands: ['true'] })], verifySsmAgent: false })))
      .toBe('Bake/WebImage: invalid provisioners []: Image Builder needs at least one build component in a recipe, and tests alone make test components only. '
        + 'Add a provisioner or a validation (the SSM agent check, verifySsmAgent, is one too)');
    // The agent check is a build component of its own.
    expect(() => imageStack({ provisioners: [], tests: [Provisioner.shell({ name: 'check', commands: ['true'] })] })).not.toThrow();
  });
});

describe('volumes as EC2 and Image Builder take them', () => {
  const gp2 = ec2.EbsDeviceVolumeType.GP2;
  test.each([
    ['a recipe root over Image Builder\'s 16,000 GiB', { rootVolume: { sizeGiB: 20_000 } }, /invalid rootVolume\.sizeGiB 20000: Image Builder takes a volume of a whole number of GiB from 1 to 16000/],
    ['an HDD root', { rootVolume: { volumeType: ec2.EbsDeviceVolumeType.ST1 } }, /invalid rootVolume\.volumeType 'st1': st1 and sc1 volumes cannot be boot volumes/],
    ['IOPS on gp2', { rootVolume: { volumeType: gp2, iops: 3000 } }, /invalid rootVolume\.iops 3000: EC2 takes IOPS for gp3, io1 and io2 volumes only.*this one is gp2\. Remove rootVolume\.iops/],
    ['io2 without IOPS', { rootVolume: { volumeType: ec2.EbsDeviceVolumeType.IO2 } }, /invalid rootVolume\.iops \(not set\): .*requires them for io1 and io2.*Give rootVolume\.iops/],
    ['gp3 under 3,000 IOPS', { rootVolume: { iops: 1000 } }, /invalid rootVolume\.iops 1000: a gp3 volume of an image recipe takes 3000 to 64000 IOPS/],
    ['throughput on io1', { rootVolume: { volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 4000, throughput: 500 } }, /invalid rootVolume\.throughput 500: EC2 takes throughput for gp3 volumes only/],
    ['throughput over Image Builder\'s 1,000', { dataVolumes: [{ deviceName: '/dev/xvdb', sizeGiB: 100, throughput: 2000 }] }, /invalid dataVolumes\[0\]\.throughput 2000: Image Builder takes 125 to 1000 MiB\/s/],
  ])('%s fails synth', (_what, props, message) => {
    expect(errorOf(() => imageStack(props as any))).toMatch(message);
  });

  test('a gp3 root with IOPS and throughput in range is taken', () => {
    expect(() => imageStack({ rootVolume: { sizeGiB: 100, iops: 6000, throughput: 500 } })).not.toThrow();
  });
});

describe('sharing and copying an encrypted AMI', () => {
  const share = { accounts: ['210987654321'] };

  test('with the default EBS key: sharing, copying to other accounts and a public AMI are refused', () => {
    expect(errorOf(() => pipelineStack({ distribution: [{ launchPermissions: share }] })))
      .toMatch(/^Bake\/WebImage\/Rebake: invalid distribution\[0\]\.launchPermissions .*: the AMI is encrypted with the default EBS key, and EC2 shares AMIs only when their snapshots are encrypted with a customer managed key\. Give rootVolume\.kmsKey/);
    expect(errorOf(() => pipelineStack({ distribution: [{ region: 'us-east-1', kmsKey: undefined, launchPermissions: share }] })))
      .toMatch(/invalid distribution\[0\]\.launchPermissions .*: the AMI copy in this region is encrypted with the default EBS key.*Give this entry a kmsKey/);
    expect(errorOf(() => pipelineStack({ distribution: [{ region: 'us-east-1', copyToAccounts: ['210987654321'] }] })))
      .toMatch(/invalid distribution\[0\]\.copyToAccounts \["210987654321"\]: the AMI is encrypted with the default EBS key, which other accounts cannot use to copy it/);
    expect(errorOf(() => pipelineStack({ distribution: [{ launchPermissions: { public: true } }] })))
      .toMatch(/invalid distribution\[0\]\.launchPermissions\.public true: the AMI's snapshots are encrypted, and EC2 makes only unencrypted AMIs public/);
  });

  test('with customer managed keys (the root\'s, and the region\'s for a copy) they are taken; the stack\'s own account is no sharing', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const key = new kms.Key(stack, 'AmiKey');
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx'] })],
      rootVolume: { kmsKey: key },
    });
    const usKey = kms.Key.fromKeyArn(stack, 'UsKey', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    expect(() => image.addPipeline('Rebake', {
      distribution: [{ launchPermissions: share }, { region: 'us-east-1', kmsKey: usKey, launchPermissions: share, copyToAccounts: ['210987654321'] }],
    })).not.toThrow();
    expect(() => pipelineStack({ distribution: [{ region: 'us-east-1', copyToAccounts: [ENV.account] }] })).not.toThrow();
  });
});
