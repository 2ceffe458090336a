import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GoldenImage, GoldenImageProps, OsFamily, ParentImage, Provisioner } from '../../src';
import { ENV, resourcesOf } from '../support/stacks';

function synth(props: Partial<GoldenImageProps> = {}, stackName = 'Bake'): { stack: Stack; image: GoldenImage; template: Template } {
  const app = new App();
  const stack = new Stack(app, stackName, { env: ENV });
  const image = new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [
      Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx', 'systemctl enable nginx'] }),
      Provisioner.shell({ name: 'motd', commands: ['echo golden > /etc/motd'] }),
    ],
    ...props,
  });
  return { stack, image, template: Template.fromStack(stack) };
}

function componentVersions(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of resourcesOf(template, 'AWS::ImageBuilder::Component')) {
    out[c.props.Name] = c.props.Version;
  }
  return out;
}

function recipe(template: Template): any {
  const recipes = resourcesOf(template, 'AWS::ImageBuilder::ImageRecipe');
  expect(recipes).toHaveLength(1);
  return recipes[0].props;
}

describe('GoldenImage defaults', () => {
  const { template, image } = synth();

  test('one component per provisioner (and the SSM agent check), a recipe, infrastructure, distribution and a deploy-time image', () => {
    template.resourceCountIs('AWS::ImageBuilder::Component', 3);
    template.resourceCountIs('AWS::ImageBuilder::ImageRecipe', 1);
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    template.resourceCountIs('AWS::ImageBuilder::DistributionConfiguration', 1);
    template.resourceCountIs('AWS::ImageBuilder::Image', 1);
  });

  test('components are Linux AWSTOE documents with fail-fast bash', () => {
    const components = resourcesOf(template, 'AWS::ImageBuilder::Component');
    const nginx = components.find(c => c.props.Name.endsWith('install-nginx'))!;
    expect(nginx.props.Platform).toBe('Linux');
    expect(nginx.props.Data).toContain('action: ExecuteBash');
    expect(nginx.props.Data).toContain('set -e');
    expect(nginx.props.Data).toContain('dnf install -y nginx');
    expect(nginx.props.Version).toMatch(/^1\.0\.\d+$/);
    expect(Number(nginx.props.Version.split('.')[2])).toBeLessThan(2 ** 30);
  });

  test('the recipe lists the components in order on the managed AL2023 parent, with an encrypted gp3 root', () => {
    const r = recipe(template);
    expect(r.ParentImage).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x']],
    });
    expect(r.Components).toHaveLength(3);
    expect(JSON.stringify(r.Components[0])).toContain('installnginx');
    expect(JSON.stringify(r.Components[2])).toContain('CdkImmutableInfraSsmAgentCheckLinux');
    expect(r.BlockDeviceMappings).toEqual([{
      DeviceName: '/dev/xvda',
      Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeType: 'gp3' },
    }]);
  });

  test('build instances require IMDSv2, use t3.medium and the created instance profile', () => {
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      InstanceTypes: ['t3.medium'],
      TerminateInstanceOnFailure: true,
      InstanceProfileName: Match.anyValue(),
    });
    const infra = resourcesOf(template, 'AWS::ImageBuilder::InfrastructureConfiguration')[0].props;
    expect(infra.KeyPair).toBeUndefined();
    expect(infra.SubnetId).toBeUndefined();
  });

  test('the instance role has SSM core and the Image Builder instance policy only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonSSMManagedInstanceCore')])] }),
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('EC2InstanceProfileForImageBuilder')])] }),
      ],
    });
    // No inline policy: nothing to read when there are no assets.
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the AMI name is unique per build and the image runs no tests', () => {
    const dist = resourcesOf(template, 'AWS::ImageBuilder::DistributionConfiguration')[0].props;
    expect(dist.Distributions).toHaveLength(1);
    expect(dist.Distributions[0].Region).toBe('eu-west-1');
    expect(dist.Distributions[0].AmiDistributionConfiguration.Name).toMatch(/^bake-webimage-.*-\{\{ imagebuilder:buildDate \}\}$/);
    template.hasResourceProperties('AWS::ImageBuilder::Image', {
      ImageTestsConfiguration: { ImageTestsEnabled: false },
      EnhancedImageMetadataEnabled: true,
    });
  });

  test('imageId and imageArn are the deploy-time image\'s attributes; machineImage is Linux', () => {
    const stack = Stack.of(image);
    const imageLogicalId = resourcesOf(template, 'AWS::ImageBuilder::Image')[0].id;
    expect(stack.resolve(image.imageId)).toEqual({ 'Fn::GetAtt': [imageLogicalId, 'ImageId'] });
    expect(stack.resolve(image.imageArn)).toEqual({ 'Fn::GetAtt': [imageLogicalId, 'Arn'] });
    const config = image.machineImage.getImage(stack);
    expect(config.osType).toBe(ec2.OperatingSystemType.LINUX);
    expect(config.imageId).toBe(image.imageId);
    expect(image.osFamily).toBe(OsFamily.LINUX);
    expect(image.imageKey).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('content-addressed versions', () => {
  test('an unchanged app synthesises byte-identical templates', () => {
    const a = JSON.stringify(synth().template.toJSON());
    const b = JSON.stringify(synth().template.toJSON());
    expect(a).toEqual(b);
  });

  test('adding an unrelated construct elsewhere changes nothing of the image', () => {
    const base = synth().template;
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    new s3.Bucket(stack, 'Unrelated');
    new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [
        Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx', 'systemctl enable nginx'] }),
        Provisioner.shell({ name: 'motd', commands: ['echo golden > /etc/motd'] }),
      ],
    });
    const other = Template.fromStack(stack);
    expect(componentVersions(other)).toEqual(componentVersions(base));
    expect(recipe(other).Version).toEqual(recipe(base).Version);
  });

  test('changing one provisioner versions that component and the recipe, and changes the image key', () => {
    const before = synth();
    const after = synth({
      provisioners: [
        Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx', 'systemctl enable --now nginx'] }),
        Provisioner.shell({ name: 'motd', commands: ['echo golden > /etc/motd'] }),
      ],
    });
    const v1 = componentVersions(before.template);
    const v2 = componentVersions(after.template);
    const nginx = Object.keys(v1).find(n => n.endsWith('install-nginx'))!;
    const motd = Object.keys(v1).find(n => n.endsWith('motd'))!;
    expect(v2[nginx]).not.toEqual(v1[nginx]);
    expect(v2[motd]).toEqual(v1[motd]);
    expect(recipe(after.template).Version).not.toEqual(recipe(before.template).Version);
    expect(recipe(after.template).Name).toEqual(recipe(before.template).Name);
    expect(after.image.imageKey).not.toEqual(before.image.imageKey);
  });

  test('parent, root volume, working directory and rebuild key change the recipe version and image key', () => {
    const base = synth();
    const variants = [
      synth({ parentImage: ParentImage.amazonLinux2() }),
      synth({ rootVolume: { sizeGiB: 40 } }),
      synth({ workingDirectory: '/opt/build' }),
      synth({ rebuildKey: '2026-11-22' }),
      synth({ description: 'web servers' }),
    ];
    for (const variant of variants) {
      expect(recipe(variant.template).Version).not.toEqual(recipe(base.template).Version);
      expect(variant.image.imageKey).not.toEqual(base.image.imageKey);
    }
    expect(new Set(variants.map(v => v.image.imageKey)).size).toBe(variants.length);
  });

  test('infrastructure and distribution settings update in place without a rebake', () => {
    const base = synth();
    for (const variant of [
      synth({ instanceTypes: [new ec2.InstanceType('c6i.large')] }),
      synth({ amiTags: { team: 'web' } }),
      synth({ terminateInstanceOnFailure: false }),
    ]) {
      expect(recipe(variant.template).Version).toEqual(recipe(base.template).Version);
      expect(variant.image.imageKey).toEqual(base.image.imageKey);
    }
  });

  test('tests on or off change the image key (the image resource is replaced) but not the recipe of the build steps', () => {
    const base = synth();
    const withTests = synth({ tests: [Provisioner.shell({ name: 'serves', commands: ['curl -fsS localhost'] })] });
    expect(withTests.image.imageKey).not.toEqual(base.image.imageKey);
    withTests.template.hasResourceProperties('AWS::ImageBuilder::Image', {
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 1440 },
    });
  });

  test('a changed file asset changes its component version', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-asset-'));
    const file = path.join(dir, 'index.html');
    fs.writeFileSync(file, '<h1>one</h1>');
    const first = synth({ provisioners: [Provisioner.file({ name: 'site', source: file, destination: '/usr/share/nginx/html/index.html' })] });
    fs.writeFileSync(file, '<h1>two</h1>');
    const second = synth({ provisioners: [Provisioner.file({ name: 'site', source: file, destination: '/usr/share/nginx/html/index.html' })] });
    expect(componentVersions(second.template)).not.toEqual(componentVersions(first.template));
    expect(second.image.imageKey).not.toEqual(first.image.imageKey);
  });
});

describe('GoldenImage props', () => {
  test('validations and tests become validate- and test-phase components after the build ones', () => {
    const { template } = synth({
      validations: [Provisioner.shell({ name: 'config-ok', commands: ['nginx -t'] })],
      tests: [Provisioner.shell({ name: 'serves', commands: ['systemctl start nginx', 'curl -fsS localhost'] })],
    });
    const components = resourcesOf(template, 'AWS::ImageBuilder::Component');
    expect(components.find(c => c.props.Name.endsWith('config-ok'))!.props.Data).toMatch(/name: validate/);
    expect(components.find(c => c.props.Name.endsWith('serves'))!.props.Data).toMatch(/name: test/);
    const order = recipe(template).Components.map((c: any) => JSON.stringify(c));
    expect(order[2]).toContain('configok');
    expect(order[3]).toContain('serves');
  });

  test('a VPC gives the build a subnet and an egress-only security group', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
      vpc,
    });
    const template = Template.fromStack(stack);
    const infra = resourcesOf(template, 'AWS::ImageBuilder::InfrastructureConfiguration')[0].props;
    expect(JSON.stringify(infra.SubnetId)).toContain('PrivateSubnet1');
    expect(infra.SecurityGroupIds).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('outbound only'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0' })],
    });
    expect(template.findResources('AWS::EC2::SecurityGroup', { Properties: { SecurityGroupIngress: Match.anyValue() } })).toEqual({});
    expect(image.connections.securityGroups).toHaveLength(1);
  });

  test('a given role gets the instance profile; logging goes to the bucket with a put grant', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const bucket = new s3.Bucket(stack, 'Logs');
    new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
      role,
      logging: { bucket, prefix: 'bakes/' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: Match.stringLikeRegexp('MyRole') }] });
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      Logging: { S3Logs: { S3BucketName: { Ref: Match.stringLikeRegexp('Logs') }, S3KeyPrefix: 'bakes/' } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('MyRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']) })]) },
    });
  });

  test('root volume size, type, iops, throughput and KMS key', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const key = new kms.Key(stack, 'Key');
    new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
      rootVolume: { sizeGiB: 30, volumeType: ec2.EbsDeviceVolumeType.GP3, iops: 4000, throughput: 250, kmsKey: key },
    });
    const r = recipe(Template.fromStack(stack));
    expect(r.BlockDeviceMappings[0].Ebs).toEqual({
      Encrypted: true,
      DeleteOnTermination: true,
      VolumeType: 'gp3',
      VolumeSize: 30,
      Iops: 4000,
      Throughput: 250,
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });

  test('Packer\'s {{timestamp}} and {{isotime}} become the build date; tags and description reach the AMI', () => {
    const { template } = synth({ amiName: 'web {{timestamp}}', amiTags: { team: 'web' }, description: 'Web servers' });
    const ami = resourcesOf(template, 'AWS::ImageBuilder::DistributionConfiguration')[0].props.Distributions[0].AmiDistributionConfiguration;
    expect(ami).toEqual({ Name: 'web {{ imagebuilder:buildDate }}', Description: 'Web servers', AmiTags: { team: 'web' } });
    const iso = synth({ amiName: 'web-{{isotime "2006-01-02"}}' }).template;
    expect(resourcesOf(iso, 'AWS::ImageBuilder::DistributionConfiguration')[0].props.Distributions[0].AmiDistributionConfiguration.Name)
      .toBe('web-{{ imagebuilder:buildDate }}');
  });

  test('characters Image Builder refuses are replaced with a warning', () => {
    const { stack, template } = synth({ amiName: 'web/server (prod) {{timestamp}}' });
    expect(resourcesOf(template, 'AWS::ImageBuilder::DistributionConfiguration')[0].props.Distributions[0].AmiDistributionConfiguration.Name)
      .toBe('web-server -prod- {{ imagebuilder:buildDate }}');
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage', Match.stringLikeRegexp('amiName: replaced'));
  });

  test('buildOnDeploy false leaves baking to a pipeline', () => {
    const { template, image } = synth({ buildOnDeploy: false });
    template.resourceCountIs('AWS::ImageBuilder::Image', 0);
    expect(() => image.imageId).toThrow(/Bake\/WebImage: imageId is not available because buildOnDeploy is false/);
    expect(image.parentImageArn).toContain(':image/bake-webimage');
  });

  test('amiRemovalPolicy DESTROY adds deletion settings with a role scoped to this image\'s own builds and AMIs, and Image Builder\'s snapshots', () => {
    const { template, image: golden } = synth({ amiRemovalPolicy: RemovalPolicy.DESTROY });
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageAmiDeletionRole'))!;
    template.hasResourceProperties('AWS::ImageBuilder::Image', { DeletionSettings: { ExecutionRole: { 'Fn::GetAtt': [role.id, 'Arn'] } } });
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'imagebuilder.amazonaws.com' },
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
    }]);
    const partition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
    // An image build's ARN is named after its recipe: image/<recipe name>/<version>/<build>.
    const builds = partition(`:imagebuilder:eu-west-1:123456789012:image/${golden.imageName}/*`);
    expect(golden.imageName).toMatch(/^bake-webimage-[0-9a-f]{8}$/);
    const ownOutputs = {
      StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
      StringLike: { 'aws:ResourceTag/Ec2ImageBuilderArn': builds },
    };
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('WebImageAmiDeletionRole'))!;
    expect(policy.props.PolicyDocument.Statement).toEqual([
      { Action: ['imagebuilder:GetImage', 'imagebuilder:DeleteImage'], Effect: 'Allow', Resource: builds },
      { Action: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], Effect: 'Allow', Resource: '*' },
      { Action: 'ec2:DeregisterImage', Effect: 'Allow', Resource: partition(':ec2:*::image/*'), Condition: ownOutputs },
      // Snapshots as AWS's lifecycle policy has them: the docs do not say they carry Ec2ImageBuilderArn.
      { Action: 'ec2:DeleteSnapshot', Effect: 'Allow', Resource: partition(':ec2:*::snapshot/*'), Condition: { StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' } } },
    ]);
    const defaults = synth().template;
    const image = resourcesOf(defaults, 'AWS::ImageBuilder::Image')[0].props;
    expect(image.DeletionSettings).toBeUndefined();
  });

  test('the deploy-time build waits for its roles\' policies, not only for the instance profile', () => {
    const { template } = synth({ provisioners: [Provisioner.file({ source: path.join(__dirname, '..', 'provisioning', 'fixtures', 'app.conf'), destination: '/etc/app.conf' })] });
    const image = Object.values(template.findResources('AWS::ImageBuilder::Image'))[0] as any;
    const instancePolicy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('WebImageInstanceRole'))!;
    expect(JSON.stringify(instancePolicy.props.PolicyDocument)).toContain('s3:GetObject');
    expect(image.DependsOn).toEqual(expect.arrayContaining([instancePolicy.id]));
  });

  test('arm64 parents default to Graviton build instances', () => {
    const { template, image } = synth({ parentImage: ParentImage.amazonLinux2023({ architecture: ec2.InstanceArchitecture.ARM_64 }) });
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { InstanceTypes: ['t4g.medium'] });
    expect(JSON.stringify(recipe(template).ParentImage)).toContain('amazon-linux-2023-arm64');
    expect(image.architecture).toBe(ec2.InstanceArchitecture.ARM_64);
  });

  test('cascading images: the child is baked from the parent image build', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const base = new GoldenImage(stack, 'Base', { parentImage: ParentImage.amazonLinux2023(), provisioners: [Provisioner.updateOs()] });
    const web = new GoldenImage(stack, 'Web', { parentImage: ParentImage.fromGoldenImage(base), provisioners: [Provisioner.shell({ commands: ['dnf install -y nginx'] })] });
    const template = Template.fromStack(stack);
    const recipes = resourcesOf(template, 'AWS::ImageBuilder::ImageRecipe');
    const child = recipes.find(r => r.props.Name.includes('web'))!;
    expect(JSON.stringify(child.props.ParentImage)).toMatch(/BaseImage.*Arn/);
    expect(web.imageKey).not.toEqual(base.imageKey);
  });

  test('a document over 16,000 characters goes through an S3 asset', () => {
    const big = Array.from({ length: 400 }, (_, i) => `echo "line ${i} ${'x'.repeat(40)}"`);
    const { template } = synth({ provisioners: [Provisioner.shell({ name: 'big', commands: big })] });
    const component = resourcesOf(template, 'AWS::ImageBuilder::Component')[0].props;
    expect(component.Data).toBeUndefined();
    expect(JSON.stringify(component.Uri)).toContain('s3://');
  });

  test('an SSM parameter parent is resolved by Image Builder at build time', () => {
    const { template } = synth({ parentImage: ParentImage.fromSsmParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64') });
    expect(recipe(template).ParentImage).toBe('ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
  });

  test('a lookup parent is resolved at synth time through the context', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.lookup({ name: 'debian-12-amd64-*', owners: ['136693071363'] }),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
    });
    const missing = app.synth().manifest.missing ?? [];
    expect(missing.map(m => m.provider)).toContain('ami');
    expect(JSON.stringify(missing[0].props)).toContain('debian-12-amd64-*');
  });
});

describe('bad input fails at synth, naming the construct, the prop and the fix', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['no provisioners at all', () => synth({ provisioners: [] }), /Bake\/WebImage: invalid provisioners \[\]: an image needs at least one/],
    ['duplicate provisioner names', () => synth({
      provisioners: [Provisioner.shell({ name: 'step', commands: ['a'] }), Provisioner.shell({ name: 'step', commands: ['b'] })],
    }), /Bake\/WebImage: invalid provisioners\[1\]\.name 'step': provisioners\[0\] has the same name.*unique name/],
    ['a rebuild key that is a token', () => synth({ rebuildKey: Token.asString({ Ref: 'AWS::StackId' }) }), /invalid rebuildKey \(a token\).*literal string/],
    ['an instance type of the wrong architecture', () => synth({ instanceTypes: [new ec2.InstanceType('t4g.small')] }),
      /invalid instanceTypes\[0\] 't4g.small': it is an arm64 instance type and the parent image is x86_64/],
    ['a shell step on Windows', () => synth({ parentImage: ParentImage.windowsServer({ version: '2022' }) }),
      /invalid provisioners\[0\] 'Provisioner.shell'.*powerShell/],
    ['a PowerShell step on Linux', () => synth({ provisioners: [Provisioner.powerShell({ commands: ['Get-Date'] })] }),
      /Bake\/WebImage: invalid provisioners\[0\].*Provisioner.shell/],
    ['an AMI name that cannot be unique', () => synth({ amiName: 'web-server' }), /invalid amiName 'web-server'.*Add \{\{timestamp\}\}/],
    ['an AMI name unique by build version only (it starts again with each recipe version)', () => synth({ amiName: 'web-{{uuid}}' }),
      /invalid amiName 'web-\{\{uuid\}\}': bakes would produce the same AMI name .*starts again at 1 with every new recipe version\)\. Add \{\{timestamp\}\}/],
    ['an AMI name with an untranslatable Packer function', () => synth({ amiName: 'web-{{user `version`}}-{{timestamp}}' }), /invalid amiName.*cannot be translated/],
    ['an AMI name too long', () => synth({ amiName: `${'a'.repeat(120)}-{{timestamp}}` }), /invalid amiName.*must be 3 to 127/],
    ['a root volume smaller than the Debian parent snapshot', () => synth({
      parentImage: ParentImage.debian({ release: '12' }), rootVolume: { sizeGiB: 4 },
    }), /invalid rootVolume.sizeGiB 4: the parent image's root snapshot is 8 GiB.*at least 8/],
    ['a missing script file', () => synth({ provisioners: [Provisioner.shellScript({ path: '/nonexistent/setup.sh' })] }),
      /invalid provisioners\[0\]\.path '\/nonexistent\/setup.sh': no file at/],
    ['an unknown AWS-managed component', () => synth({ provisioners: [Provisioner.awsManaged('aws-cli-version-3-linux')] }),
      /Bake\/WebImage: invalid provisioners\[0\].*aws-cli-version-3-linux/],
    ['a test timeout outside Image Builder\'s range', () => synth({ testTimeout: Duration.minutes(10) }), /invalid testTimeout '10 minutes'/],
    ['a test timeout of part of a minute', () => synth({ testTimeout: Duration.seconds(3601) }), /invalid testTimeout '1 hour 1 second': Image Builder takes the test timeout in whole minutes/],
    ['a relative working directory', () => synth({ workingDirectory: 'build' }), /invalid workingDirectory 'build': the working directory must be an absolute path/],
    ['an unknown Ubuntu release', () => synth({ parentImage: ParentImage.ubuntu({ release: '18.10' }) }), /invalid parentImage.*ubuntu.*Use one of/],
    ['a malformed AMI id', () => synth({ parentImage: ParentImage.fromAmiId('ami-xyz') }), /invalid parentImage 'ami-xyz': this is not an AMI id/],
    ['a bad provisioner name', () => synth({ provisioners: [Provisioner.shell({ name: 'install nginx!', commands: ['true'] })] }),
      /invalid provisioners\[0\]\.name 'install nginx!'/],
    ['an unquoted AWSTOE expression in a command', () => synth({ provisioners: [Provisioner.shell({ name: 'x', commands: ['echo {{ missing }}'] })] }),
      /invalid provisioners\[0\] \('x'\): its AWSTOE document does not validate/],
  ];
  test.each(cases)('%s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});

describe('credentials are never baked', () => {
  test.each([
    ['an access key id in a command', { commands: ['aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE'] }, /provisioners\[0\]\.commands.*access key id on line 1/],
    ['a secret key in a command', { commands: ['export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'] }, /secret access key/],
    ['a secret key in the environment', { commands: ['true'], environment: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }, /provisioners\[0\]\.environment\.AWS_SECRET_ACCESS_KEY/],
    ['a private key', { commands: ['cat > /root/.ssh/id_rsa <<EOF', '-----BEGIN RSA PRIVATE KEY-----', 'MIIB', 'EOF'] }, /private key block on line 2/],
  ])('%s is refused with what to use instead', (_name, options, message) => {
    expect(() => synth({ provisioners: [Provisioner.shell({ name: 'creds', ...(options as any) })] }))
      .toThrow(message);
    expect(() => synth({ provisioners: [Provisioner.shell({ name: 'creds', ...(options as any) })] }))
      .toThrow(/instance role.*Secrets Manager or SSM Parameter Store/);
  });
});

test('a script argument holding an access key is refused too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-script-'));
  const script = path.join(dir, 'configure.sh');
  fs.writeFileSync(script, '#!/bin/bash\necho "$@"\n');
  expect(() => synth({ provisioners: [Provisioner.shellScript({ name: 'configure', path: script, arguments: ['--key', 'AKIAIOSFODNN7EXAMPLE'] })] }))
    .toThrow(/provisioners\[0\]\.arguments.*access key id on line 2.*Secrets Manager or SSM Parameter Store/);
});
