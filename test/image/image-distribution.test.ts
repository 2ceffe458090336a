import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionDistributionOptions } from '../../src/image/distribution-options';
import { errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

const LT_ID = 'lt-0123456789abcdef0';

function distributions(template: Template): any[] {
  return onlyResource(template, 'AWS::ImageBuilder::DistributionConfiguration').props.Distributions;
}

function policyStatements(template: Template, rolePrefix: string): any[] {
  const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith(rolePrefix));
  if (!role) {
    return [];
  }
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(p => JSON.stringify(p.props.Roles).includes(role.id))
    .flatMap(p => p.props.PolicyDocument.Statement);
}

function invalid(distribution: RegionDistributionOptions[]): string {
  return errorOf(() => pipelineStack({ distribution }));
}

describe('distribution', () => {
  test('the build region gets SSM outputs and launch templates; another region gets a copy with its own key, accounts, permissions and tags', () => {
    // Unencrypted: shared and copied to other accounts (encrypted ones need customer managed keys, tested below).
    const { stack, image } = imageStack({ amiTags: { role: 'web' }, rootVolume: { encrypted: false } });
    const key = kms.Key.fromKeyArn(stack, 'UsKey', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const template = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Web', { launchTemplateId: LT_ID });
    image.addPipeline('Rebake', {
      distribution: [
        {
          ssmParameters: [{ parameterName: '/golden/web/latest' }, { parameterName: 'golden-web-text', dataType: ssm.ParameterDataType.TEXT }],
          launchTemplates: [{ launchTemplate: template }],
        },
        {
          region: 'us-east-1',
          kmsKey: key,
          copyToAccounts: ['111111111111', '222222222222'],
          launchPermissions: {
            accounts: ['333333333333'],
            organizationArns: ['arn:aws:organizations::123456789012:organization/o-abcdefghij'],
            organizationalUnitArns: ['arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefghij'],
          },
          amiTags: { region: 'us' },
          ssmParameters: [{ parameterName: '/golden/web/latest', account: '111111111111' }],
          launchTemplates: [{ launchTemplate: template, account: '111111111111', setDefaultVersion: false }],
        },
      ],
    });
    expect(distributions(Template.fromStack(stack))).toEqual([
      {
        Region: 'eu-west-1',
        AmiDistributionConfiguration: { Name: expect.stringContaining('{{ imagebuilder:buildDate }}'), AmiTags: { role: 'web' } },
        SsmParameterConfigurations: [
          { ParameterName: '/golden/web/latest', DataType: 'aws:ec2:image' },
          { ParameterName: 'golden-web-text', DataType: 'text' },
        ],
        LaunchTemplateConfigurations: [{ LaunchTemplateId: LT_ID, SetDefaultVersion: true }],
      },
      {
        Region: 'us-east-1',
        AmiDistributionConfiguration: {
          Name: expect.stringContaining('{{ imagebuilder:buildDate }}'),
          AmiTags: { role: 'web', region: 'us' },
          KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
          TargetAccountIds: ['111111111111', '222222222222'],
          LaunchPermissionConfiguration: {
            UserIds: ['333333333333'],
            OrganizationArns: ['arn:aws:organizations::123456789012:organization/o-abcdefghij'],
            OrganizationalUnitArns: ['arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefghij'],
          },
        },
        SsmParameterConfigurations: [{ ParameterName: '/golden/web/latest', DataType: 'aws:ec2:image', AmiAccountId: '111111111111' }],
        LaunchTemplateConfigurations: [{ LaunchTemplateId: LT_ID, AccountId: '111111111111', SetDefaultVersion: false }],
      },
    ]);
  });

  test('an entry naming the stack\'s region is the build region', () => {
    const { template } = pipelineStack({ distribution: [{ region: 'eu-west-1', ssmParameters: [{ parameterName: '/imagebuilder/web' }] }] });
    expect(distributions(template)).toHaveLength(1);
    expect(distributions(template)[0].SsmParameterConfigurations).toEqual([{ ParameterName: '/imagebuilder/web', DataType: 'aws:ec2:image' }]);
  });

  test('an empty entry for another region copies the AMI there', () => {
    const { template } = pipelineStack({ distribution: [{ region: 'ap-southeast-2' }] });
    expect(distributions(template).map(d => d.Region)).toEqual(['eu-west-1', 'ap-southeast-2']);
  });

  test('the deploy-time build distributes alike: it uses the same distribution configuration', () => {
    const { template } = pipelineStack({ distribution: [{ region: 'us-east-1' }] });
    const dist = onlyResource(template, 'AWS::ImageBuilder::DistributionConfiguration').id;
    for (const consumer of [...resourcesOf(template, 'AWS::ImageBuilder::Image'), ...resourcesOf(template, 'AWS::ImageBuilder::ImagePipeline')]) {
      expect(consumer.props.DistributionConfigurationArn).toEqual({ 'Fn::GetAtt': [dist, 'Arn'] });
    }
  });

  test('a public AMI needs the explicit flag, and is flagged', () => {
    const { stack, template } = pipelineStack({ distribution: [{ launchPermissions: { public: true } }] }, { rootVolume: { encrypted: false } });
    expect(distributions(template)[0].AmiDistributionConfiguration.LaunchPermissionConfiguration).toEqual({ UserGroups: ['all'] });
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('anyone can launch this image\'s AMI'));
  });
});

describe('publishing the AMI id to SSM', () => {
  test('a parameter under /imagebuilder/ is written by Image Builder\'s service-linked role: no execution role', () => {
    const { template } = pipelineStack({ distribution: [{ ssmParameters: [{ parameterName: '/imagebuilder/golden/web' }] }] });
    expect(resourcesOf(template, 'AWS::IAM::Role').filter(r => r.id.startsWith('WebImageExecutionRole'))).toEqual([]);
    expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props).not.toHaveProperty('ExecutionRole');
  });

  test('any other name gets an execution role, used by the pipeline and the deploy-time build, that may write exactly those parameters', () => {
    const { template } = pipelineStack({
      distribution: [
        { ssmParameters: [{ parameterName: '/golden/web/latest' }, { parameterName: 'flat-name', dataType: ssm.ParameterDataType.TEXT }] },
        { region: 'us-east-1', ssmParameters: [{ parameterName: '/golden/web/latest' }] },
      ],
    });
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!;
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'imagebuilder.amazonaws.com' },
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
    }]);
    expect(role.props.ManagedPolicyArns).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2ImageBuilderExecutionPolicy']] }]);
    const arn = (region: string, name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${region}:123456789012:parameter/${name}`]] });
    expect(policyStatements(template, 'WebImageExecutionRole')).toEqual([
      // ec2:DescribeImages, which Systems Manager needs for aws:ec2:image values, is in the managed policy.
      { Action: 'ssm:PutParameter', Effect: 'Allow', Resource: [arn('eu-west-1', 'golden/web/latest'), arn('eu-west-1', 'flat-name'), arn('us-east-1', 'golden/web/latest')] },
    ]);
    const roleArn = { 'Fn::GetAtt': [role.id, 'Arn'] };
    expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.ExecutionRole).toEqual(roleArn);
    expect(onlyResource(template, 'AWS::ImageBuilder::Image').props.ExecutionRole).toEqual(roleArn);
  });

  test('a name known only at deploy time is granted in both ARN forms (with or without a leading slash, the ARN holds one)', () => {
    const { stack, image } = imageStack();
    const name = new CfnParameter(stack, 'AmiParameter', { type: 'String' }).valueAsString;
    image.addPipeline('Rebake', { distribution: [{ ssmParameters: [{ parameterName: name }] }] });
    const put = policyStatements(Template.fromStack(stack), 'WebImageExecutionRole').find(s => s.Action === 'ssm:PutParameter');
    expect(put.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/', { Ref: 'AmiParameter' }]] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter', { Ref: 'AmiParameter' }]] },
    ]);
  });

  test('the deploy-time build waits for the execution role and its parameter writes', () => {
    const { template } = pipelineStack({ distribution: [{ ssmParameters: [{ parameterName: '/golden/web/latest' }] }] });
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.startsWith('WebImageExecutionRole'))!;
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!;
    const image = Object.values(template.findResources('AWS::ImageBuilder::Image'))
      .find((r: any) => r.Properties.ImagePipelineExecutionSettings === undefined) as any;
    expect(image.DependsOn).toEqual(expect.arrayContaining([role.id, policy.id]));
  });

  test('a parameter in a target account is written there, by the cross-account role: no grant here', () => {
    const { template } = pipelineStack({
      distribution: [{ region: 'us-east-1', copyToAccounts: ['111111111111'], ssmParameters: [{ parameterName: '/golden/web', account: '111111111111' }] }],
    }, { rootVolume: { encrypted: false } });
    expect(resourcesOf(template, 'AWS::IAM::Role').filter(r => r.id.startsWith('WebImageExecutionRole'))).toEqual([]);
  });

  test('an execution role created by a later pipeline also covers the parameters an earlier one added', () => {
    const { stack, image } = imageStack();
    image.addPipeline('First', { distribution: [{ ssmParameters: [{ parameterName: '/imagebuilder/web' }] }] });
    image.addPipeline('Second', { distribution: [{ region: 'us-east-1', ssmParameters: [{ parameterName: '/golden/web' }] }] });
    const template = Template.fromStack(stack);
    const put = policyStatements(template, 'WebImageExecutionRole').find(s => s.Action === 'ssm:PutParameter');
    expect(JSON.stringify(put.Resource)).toContain('eu-west-1:123456789012:parameter/imagebuilder/web');
    expect(JSON.stringify(put.Resource)).toContain('us-east-1:123456789012:parameter/golden/web');
    for (const pipeline of resourcesOf(template, 'AWS::ImageBuilder::ImagePipeline')) {
      expect(pipeline.props.ExecutionRole).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebImageExecutionRole/), 'Arn'] });
    }
  });
});

describe('distribution validation', () => {
  test('an invalid SSM parameter name fails synth with the path, the prop, the value and the fix', () => {
    expect(invalid([{ ssmParameters: [{ parameterName: '/golden/web latest' }] }]))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].ssmParameters[0].parameterName \'/golden/web latest\': a parameter name is 1 to 1011 '
        + 'letters, digits and _ . - /. Give a name such as /golden/web/latest');
    expect(invalid([{ ssmParameters: [{ parameterName: `/${'a'.repeat(1011)}` }] }])).toMatch(/parameterName '\/a+\.\.\.': a parameter name is 1 to 1011/);
    expect(invalid([{ ssmParameters: [{ parameterName: 'golden/web' }] }])).toMatch(/a name with a hierarchy must start with '\/'\. Write \/golden\/web$/);
    expect(invalid([{ ssmParameters: [{ parameterName: '/aws/golden' }] }])).toMatch(/names starting with aws or ssm are reserved/);
  });

  test('a parameter account must also be a target account of the region', () => {
    expect(invalid([{ region: 'us-east-1', ssmParameters: [{ parameterName: '/golden/web', account: '111111111111' }] }]))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].ssmParameters[0].account \'111111111111\': Image Builder writes a parameter in another '
        + 'account only when the AMI is copied to that account. Add 111111111111 to this region\'s copyToAccounts, or leave account out for the stack\'s account');
  });

  test('a region\'s AMI tags are the image\'s and its own: together at most 50, a key in both counted once', () => {
    const tags = (prefix: string, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'x']));
    const regionTags = (amiTags: Record<string, string>) => distributions(pipelineStack({ distribution: [{ region: 'us-east-1', amiTags }] },
      { amiTags: tags('image', 30) }).template)[1].AmiDistributionConfiguration.AmiTags;
    expect(errorOf(() => pipelineStack({ distribution: [{ region: 'us-east-1', amiTags: tags('region', 21) }] }, { amiTags: tags('image', 30) })))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].amiTags \'51 tags with the image\'s amiTags\': the AMI in this region gets the image\'s amiTags '
        + 'and these, and Image Builder takes at most 50 AMI tags. Give fewer tags here or in the image\'s amiTags (a key in both counts once)');
    expect(Object.keys(regionTags(tags('region', 20)))).toHaveLength(50);
    // Keys the image has too replace its values, and count once.
    const overlapping = regionTags({ ...tags('image', 30), ...tags('region', 20) });
    expect(Object.keys(overlapping)).toHaveLength(50);
  });

  test('a public launch permission without the flag is refused', () => {
    expect(invalid([{ launchPermissions: { accounts: ['all'] } }]))
      .toBe('Bake/WebImage/Rebake: invalid distribution[0].launchPermissions.accounts[0] \'all\': \'all\' would make the AMI public, which the library '
        + 'only does when asked explicitly. Set launchPermissions.public to true if everyone may launch this AMI; otherwise list account ids');
  });

  test('duplicate regions are refused, the build region under either spelling', () => {
    expect(invalid([{ region: 'us-east-1' }, { region: 'us-east-1', amiTags: { a: 'b' } }]))
      .toBe('Bake/WebImage/Rebake: invalid distribution[1].region \'us-east-1\': distribution[0] is for us-east-1 too, and Image Builder takes one '
        + 'entry per region. Merge the two entries into one');
    expect(invalid([{ amiTags: { a: 'b' } }, { region: 'eu-west-1', amiTags: { c: 'd' } }]))
      .toMatch(/invalid distribution\[1\]\.region 'eu-west-1': distribution\[0\] is for the build region too/);
  });

  test('two pipelines of one image cannot both distribute to a region', () => {
    const { image } = imageStack();
    image.addPipeline('First', { distribution: [{ region: 'us-east-1' }] });
    expect(errorOf(() => image.addPipeline('Second', { distribution: [{ region: 'us-east-1' }] })))
      .toMatch(/^Bake\/WebImage\/Second: invalid distribution\[0\]\.region 'us-east-1': another pipeline of this image already distributes to us-east-1; an image has one distribution configuration/);
  });

  test('a build-region entry without outputs is refused', () => {
    expect(invalid([{}])).toBe('Bake/WebImage/Rebake: invalid distribution[0] {}: an entry for the build region with no settings changes nothing: '
      + 'the AMI is there already. Add outputs (ssmParameters, launchTemplates, copyToAccounts, launchPermissions, amiTags, kmsKey, fastLaunch, licenseConfigurationArns), or remove the entry');
    expect(invalid([{ launchPermissions: { public: false } }])).toMatch(/an entry for the build region with no settings changes nothing/);
  });

  test.each([
    [[{ region: 'Ireland' }], /distribution\[0\]\.region 'Ireland': it is not an AWS region name/],
    [[{ region: 'us-east-1', copyToAccounts: ['12345'] }], /distribution\[0\]\.copyToAccounts\[0\] '12345': an AWS account id is 12 digits/],
    [[{ launchPermissions: { accounts: ['12'] } }], /launchPermissions\.accounts\[0\] '12': an AWS account id is 12 digits/],
    [[{ launchPermissions: { organizationArns: ['o-abcdefghij'] } }], /launchPermissions\.organizationArns\[0\] 'o-abcdefghij': it is not an organization ARN/],
    [[{ launchPermissions: { organizationalUnitArns: ['ou-ab12-cdefghij'] } }], /organizationalUnitArns\[0\] 'ou-ab12-cdefghij': it is not an organizational unit ARN/],
  ])('%j is refused', (distribution, message) => {
    expect(invalid(distribution as RegionDistributionOptions[])).toMatch(message);
  });

  test('launch templates need an id of the lt- form', () => {
    const app = new App();
    const stack = new Stack(app, 'Other');
    const byName = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'ByName', { launchTemplateName: 'web' });
    expect(invalid([{ launchTemplates: [{ launchTemplate: byName }] }]))
      .toMatch(/invalid distribution\[0\]\.launchTemplates\[0\]\.launchTemplate 'Other\/ByName': Image Builder updates a launch template by its id/);
    const wrong = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Wrong', { launchTemplateId: 'web-template' });
    expect(invalid([{ launchTemplates: [{ launchTemplate: wrong }] }])).toMatch(/'web-template': it is not a launch template id/);
  });

  test('token values are not guessed at', () => {
    const { stack, image } = imageStack();
    const key = new kms.Key(stack, 'Key');
    const lt = new ec2.LaunchTemplate(stack, 'Template', { machineImage: ec2.MachineImage.latestAmazonLinux2023() });
    image.addPipeline('Rebake', {
      distribution: [{
        kmsKey: key,
        copyToAccounts: [stack.account],
        ssmParameters: [{ parameterName: ssm.StringParameter.valueForStringParameter(stack, '/name/of/output') }],
        launchTemplates: [{ launchTemplate: lt }],
      }],
    });
    const dist = distributions(Template.fromStack(stack))[0];
    expect(dist.LaunchTemplateConfigurations[0].LaunchTemplateId).toEqual({ Ref: stack.getLogicalId(lt.node.defaultChild as ec2.CfnLaunchTemplate) });
    expect(dist.AmiDistributionConfiguration.KmsKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
  });
});
