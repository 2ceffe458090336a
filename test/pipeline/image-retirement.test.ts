import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { ImageLifecycleRules, ImageRetention, LifecycleThreshold } from '../../src/pipeline/image-retirement';
import { PipelineSchedule, WeekDay } from '../../src/pipeline/pipeline-schedule';
import { Provisioner } from '../../src/provisioning/provisioner';
import { ENV, errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

process.env.CDK_VALIDATION = 'false';

const IN_USE = { 'cdk-immutable-infra:in-use': 'true' };

/** The statements of the execution role of the lifecycle policy under `idPart`, with ARNs flattened. */
function roleStatements(template: Template, idPart = 'Retirement'): any[] {
  const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.includes(idPart))!;
  return policy.props.PolicyDocument.Statement.map((statement: any) => JSON.parse(JSON.stringify(statement, (_k, v) => flatten(v))));
}

/** Collapses the Fn::Join the stack writes for ARNs with the partition into plain text. */
function flatten(value: any): any {
  if (value && typeof value === 'object' && Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'];
    return parts.map((p: any) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'aws' : JSON.stringify(p))).join(sep);
  }
  return value;
}

/** An AwsCustomResource call: a JSON string, or a Fn::Join of one around deploy-time values (shown as TOKEN). */
function sdkCall(rendered: any): any {
  if (typeof rendered === 'string') {
    return JSON.parse(rendered);
  }
  return JSON.parse(rendered['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

function policyDetails(template: Template): any[] {
  return onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy').props.PolicyDetails;
}

const ownAmis = (imageName: string) => ({
  StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
  StringLike: { 'aws:ResourceTag/Ec2ImageBuilderArn': `arn:aws:imagebuilder:eu-west-1:123456789012:image/${imageName}/*` },
});

describe('retirement of old builds', () => {
  test('keepImages count: a lifecycle policy deleting AMIs and snapshots beyond the newest n, never one in use or launched in the last 30 days', () => {
    const { template, image, pipeline, stack } = pipelineStack({ keepImages: ImageRetention.count(5) });
    const policy = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy');
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.includes('Retirement'))!;
    expect(policy.props).toEqual({
      Name: expect.stringMatching(/^bake-webimage-rebake-[0-9a-f]{8}-retirement$/),
      Description: `Retires old builds of ${image.imageName}: deletes them, never disabling or deleting an AMI in use by a deployment or launched in the last 30 days`,
      ExecutionRole: { 'Fn::GetAtt': [role.id, 'Arn'] },
      ResourceType: 'AMI_IMAGE',
      Status: 'ENABLED',
      ResourceSelection: { TagMap: { 'cdk-immutable-infra:image': image.imageName } },
      PolicyDetails: [{
        Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
        Filter: { Type: 'COUNT', Value: 5 },
        ExclusionRules: { Amis: { LastLaunched: { Value: 30, Unit: 'DAYS' }, TagMap: IN_USE } },
      }],
    });
    expect(stack.resolve(pipeline.lifecyclePolicyArn)).toEqual({ 'Fn::GetAtt': [policy.id, 'Arn'] });
  });

  test('the selection tag is on every kind of build: deploy-time image, pipeline builds, deploy-time pipeline run', () => {
    const { template, image } = pipelineStack({ keepImages: ImageRetention.count(3), runOnDeploy: true });
    const selection = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy').props.ResourceSelection.TagMap;
    const images = resourcesOf(template, 'AWS::ImageBuilder::Image');
    expect(images).toHaveLength(2);
    for (const built of images) {
      expect(built.props.Tags).toEqual(selection);
    }
    expect(onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props.ImageTags).toEqual(selection);
    expect(selection).toEqual({ 'cdk-immutable-infra:image': image.imageName });
  });

  test('the execution role, trusted by Image Builder for this account only, may do what a delete rule does to this image\'s builds and nothing more', () => {
    const { template, image } = pipelineStack({ keepImages: ImageRetention.count(5) });
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.includes('Retirement'))!;
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'imagebuilder.amazonaws.com' },
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
    }]);
    expect(role.props.ManagedPolicyArns).toBeUndefined();
    expect(roleStatements(template)).toEqual([
      { Action: ['ec2:DescribeImages', 'tag:GetResources'], Effect: 'Allow', Resource: '*' },
      { Action: ['ec2:DeregisterImage', 'ec2:DescribeImageAttribute'], Effect: 'Allow', Resource: 'arn:aws:ec2:*::image/*', Condition: ownAmis(image.imageName) },
      { Action: 'imagebuilder:DeleteImage', Effect: 'Allow', Resource: `arn:aws:imagebuilder:eu-west-1:123456789012:image/${image.imageName}/*` },
      {
        Action: 'ec2:DeleteSnapshot',
        Effect: 'Allow',
        Resource: 'arn:aws:ec2:*::snapshot/*',
        Condition: { StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' } },
      },
    ]);
  });

  test('keepImages age, with retainAtLeast and a longer launch window', () => {
    const { template } = pipelineStack({
      keepImages: ImageRetention.age(Duration.days(90), 3),
      keepImagesLaunchedWithin: Duration.days(60),
    });
    const detail = policyDetails(template)[0];
    expect(detail.Filter).toEqual({ Type: 'AGE', Value: 90, Unit: 'DAYS', RetainAtLeast: 3 });
    expect(detail.ExclusionRules).toEqual({ Amis: { LastLaunched: { Value: 60, Unit: 'DAYS' }, TagMap: IN_USE } });
    const defaults = pipelineStack({ keepImages: ImageRetention.age(Duration.days(30)) }).template;
    expect(policyDetails(defaults)[0].Filter.RetainAtLeast).toBe(1);
  });

  test.each([0, -1, 1.5, 1001])('keepImages count %p fails synth with the path, the prop and the fix', images => {
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.count(images) })))
      .toBe(`Bake/WebImage/Rebake: invalid keepImages ${images}: Image Builder keeps a whole number of images from 1 to 1000, and at least the newest one must stay. `
        + 'Give a count of 1 or more');
  });

  test('age and launch windows must be whole days in range; retainAtLeast 1 to 10', () => {
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.age(Duration.hours(36)) })))
      .toBe('Bake/WebImage/Rebake: invalid keepImages \'1 day 12 hours\': Image Builder counts whole days from 1 to 1000 here. Give a whole number of days, for example Duration.days(2)');
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.age(Duration.days(30), 11) })))
      .toMatch(/invalid keepImages\.retainAtLeast 11: Image Builder keeps 1 to 10 images regardless of age/);
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.count(5), keepImagesLaunchedWithin: Duration.days(400) })))
      .toMatch(/invalid keepImagesLaunchedWithin '400 days': Image Builder counts whole days from 1 to 365 here/);
  });

  test('one pipeline per image retires its builds', () => {
    const { image } = imageStack();
    image.addPipeline('Weekly', { keepImages: ImageRetention.count(5) });
    expect(errorOf(() => image.addPipeline('Nightly', { keepImages: ImageRetention.count(2) })))
      .toBe('Bake/WebImage/Nightly: invalid keepImages \'ImageRetention\': the builds of Bake/WebImage are already retired by Bake/WebImage/Weekly, '
        + 'and two lifecycle policies over the same builds would fight. Set keepImages on one pipeline of the image only, and give the image no deprecateAfter (put a deprecate rule in keepImages instead)');
  });

  test('a launch window without keepImages is flagged', () => {
    const { stack } = pipelineStack({ keepImagesLaunchedWithin: Duration.days(10) });
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('keepImagesLaunchedWithin has no effect without keepImages'));
  });
});

describe('deprecate, disable and delete in turn', () => {
  const chained = ImageRetention.lifecycle({
    deprecate: { after: LifecycleThreshold.age(Duration.days(30)) },
    disable: { after: LifecycleThreshold.age(Duration.days(60)) },
    delete: { after: LifecycleThreshold.age(Duration.days(90), 2) },
  });

  test('three rules in order: deprecation spares nothing (deprecated AMIs still launch), disable and delete spare AMIs in use and recently launched', () => {
    const { template, image } = pipelineStack({ keepImages: chained });
    expect(onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy').props.Description)
      .toBe(`Retires old builds of ${image.imageName}: deprecates, disables and deletes them, never disabling or deleting an AMI in use by a deployment or launched in the last 30 days`);
    const spared = { Amis: { LastLaunched: { Value: 30, Unit: 'DAYS' }, TagMap: IN_USE } };
    expect(policyDetails(template)).toEqual([
      { Action: { Type: 'DEPRECATE', IncludeResources: { Amis: true } }, Filter: { Type: 'AGE', Value: 30, Unit: 'DAYS' } },
      { Action: { Type: 'DISABLE', IncludeResources: { Amis: true } }, Filter: { Type: 'AGE', Value: 60, Unit: 'DAYS' }, ExclusionRules: spared },
      { Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } }, Filter: { Type: 'AGE', Value: 90, Unit: 'DAYS', RetainAtLeast: 2 }, ExclusionRules: spared },
    ]);
  });

  test('the role holds each action\'s permissions: deprecation with its DeprecatedBy tag, disable (removing that tag), deregister, delete', () => {
    const { template, image } = pipelineStack({ keepImages: chained });
    const statements = roleStatements(template);
    expect(statements[1]).toEqual({
      Action: ['ec2:EnableImageDeprecation', 'ec2:DisableImage', 'ec2:DeregisterImage', 'ec2:DescribeImageAttribute'],
      Effect: 'Allow',
      Resource: 'arn:aws:ec2:*::image/*',
      Condition: ownAmis(image.imageName),
    });
    expect(statements[2]).toEqual({
      // A disabled AMI loses the deprecation tag (image-lifecycle-rules.html, state transitions).
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Effect: 'Allow',
      Resource: ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*'],
      Condition: {
        'StringEquals': { 'aws:RequestTag/DeprecatedBy': 'EC2 Image Builder', 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': 'DeprecatedBy' },
      },
    });
    const actions = statements.flatMap(s => [s.Action].flat());
    expect(actions).not.toContain('ec2:EnableImage');
    expect(actions).not.toContain('ec2:DisableImageDeprecation');
  });

  test('a deprecation alone grants no destructive action and spares nothing', () => {
    const { template } = pipelineStack({ keepImages: ImageRetention.lifecycle({ deprecate: { after: LifecycleThreshold.age(Duration.days(30)) } }) });
    expect(policyDetails(template)).toEqual([{ Action: { Type: 'DEPRECATE', IncludeResources: { Amis: true } }, Filter: { Type: 'AGE', Value: 30, Unit: 'DAYS' } }]);
    const actions = roleStatements(template).flatMap(s => [s.Action].flat());
    expect(actions.sort()).toEqual(['ec2:CreateTags', 'ec2:DescribeImageAttribute', 'ec2:DescribeImages', 'ec2:EnableImageDeprecation', 'tag:GetResources']);
  });

  test('every exclusion rule, and a rule that changes only the Image Builder image\'s status', () => {
    const { template } = pipelineStack({
      keepImages: ImageRetention.lifecycle({
        disable: { after: LifecycleThreshold.age(Duration.days(60)), includeAmis: false },
        delete: {
          after: LifecycleThreshold.count(8),
          includeSnapshots: false,
          exclude: {
            publicAmis: true,
            launchedWithin: Duration.days(90),
            regions: ['us-east-1'],
            sharedAccounts: ['210987654321'],
            amiTags: { keep: 'forever' },
            imageTags: { release: 'gold' },
          },
        },
      }),
    });
    const [disable, deletion] = policyDetails(template);
    expect(disable.Action).toEqual({ Type: 'DISABLE' });
    expect(deletion).toEqual({
      Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: false } },
      Filter: { Type: 'COUNT', Value: 8 },
      ExclusionRules: {
        Amis: {
          IsPublic: true,
          LastLaunched: { Value: 90, Unit: 'DAYS' },
          Regions: ['us-east-1'],
          SharedAccounts: ['210987654321'],
          TagMap: { keep: 'forever', ...IN_USE },
        },
        TagMap: { release: 'gold' },
      },
    });
    const actions = roleStatements(template).flatMap(s => [s.Action].flat());
    expect(actions).not.toContain('ec2:DisableImage');
    expect(actions).not.toContain('ec2:DeleteSnapshot');
    expect(actions).toContain('ec2:DeregisterImage');
  });

  test('an AMI a live deployment launches is tagged in use while the deployment launches it, whichever is constructed first', () => {
    for (const order of ['pipeline first', 'deployment first']) {
      const { app, stack, image } = imageStack();
      const fleet = new Stack(app, 'Fleet', { env: ENV });
      const deploy = () => new ImmutableDeployment(fleet, 'Web', {
        vpc: new ec2.Vpc(fleet, 'Vpc', { maxAzs: 2, natGateways: 0 }),
        image,
        instanceType: new ec2.InstanceType('t3.small'),
        capacity: { min: 1, max: 2 },
      });
      if (order === 'deployment first') {
        deploy();
      }
      image.addPipeline('Rebake', { keepImages: chained });
      if (order === 'pipeline first') {
        deploy();
      }
      const tagging = Object.values<any>(Template.fromStack(fleet).findResources('Custom::AWS'));
      expect(tagging).toHaveLength(1);
      const [create, remove] = [sdkCall(tagging[0].Properties.Create), sdkCall(tagging[0].Properties.Delete)];
      // The fleet's stack reads the bake's AMI id from the SSM parameter published for it.
      const amiId = expect.stringMatching(/^\{\{resolve:ssm:\/imagebuilder\/cdk-immutable-infra\/bake-webimage-[0-9a-f]{8}\/[0-9a-f]{16}:1\}\}$/);
      const tags = [{ Key: 'cdk-immutable-infra:in-use', Value: 'true' }];
      expect(create).toEqual({
        service: 'EC2',
        action: 'createTags',
        parameters: { Resources: [amiId], Tags: tags },
        physicalResourceId: { id: expect.stringMatching(/^cdk-immutable-infra:in-use:[0-9a-f]{16}$/) },
        logApiResponseData: false,
      });
      expect(remove).toEqual({ ...create, action: 'deleteTags' });
      expect(Template.fromStack(stack).findResources('Custom::AWS')).toEqual({});
    }
  });

  test('a new bake is a new physical id (CloudFormation untags the old AMI after the release); the same bake keeps it', () => {
    const physicalId = (command: string) => {
      const { app, image } = imageStack({ provisioners: [Provisioner.shell({ name: 'install', commands: [command] })] });
      const fleet = new Stack(app, 'Fleet', { env: ENV });
      image.addPipeline('Rebake', { keepImages: ImageRetention.count(3) });
      new ImmutableDeployment(fleet, 'Web', {
        vpc: new ec2.Vpc(fleet, 'Vpc', { maxAzs: 2, natGateways: 0 }), image, instanceType: new ec2.InstanceType('t3.small'), capacity: { min: 1, max: 2 },
      });
      return sdkCall(Object.values<any>(Template.fromStack(fleet).findResources('Custom::AWS'))[0].Properties.Create).physicalResourceId.id;
    };
    expect(physicalId('dnf install -y nginx')).toBe(physicalId('dnf install -y nginx'));
    expect(physicalId('dnf install -y nginx')).not.toBe(physicalId('dnf install -y httpd'));
  });

  test('in the image\'s own stack the deploy-time AMI id is tagged, and no deployment is tagged without a retirement that disables or deletes', () => {
    const { stack, image } = imageStack();
    const deploy = (id: string) => new ImmutableDeployment(stack, id, {
      vpc: new ec2.Vpc(stack, `${id}Vpc`, { maxAzs: 2, natGateways: 0 }), image, instanceType: new ec2.InstanceType('t3.small'), capacity: { min: 1, max: 2 },
    });
    deploy('Web');
    image.addPipeline('Rebake', { keepImages: ImageRetention.lifecycle({ deprecate: { after: LifecycleThreshold.age(Duration.days(30)) } }) });
    expect(Template.fromStack(stack).findResources('Custom::AWS')).toEqual({});
    const other = imageStack();
    new ImmutableDeployment(other.stack, 'Web', {
      vpc: new ec2.Vpc(other.stack, 'Vpc', { maxAzs: 2, natGateways: 0 }), image: other.image, instanceType: new ec2.InstanceType('t3.small'), capacity: { min: 1, max: 2 },
    });
    other.image.addPipeline('Rebake', { keepImages: ImageRetention.count(2) });
    const create = Object.values<any>(Template.fromStack(other.stack).findResources('Custom::AWS'))[0].Properties.Create;
    expect(JSON.stringify(create)).toMatch(/"Fn::GetAtt":\["WebImage[0-9A-F]{8}","ImageId"\]/);
  });

  test('the tagging may only set the in-use tag, on AMIs', () => {
    const { app, image } = imageStack();
    const fleet = new Stack(app, 'Fleet', { env: ENV });
    image.addPipeline('Rebake', { keepImages: ImageRetention.count(3) });
    new ImmutableDeployment(fleet, 'Web', {
      vpc: new ec2.Vpc(fleet, 'Vpc', { maxAzs: 2, natGateways: 0 }), image, instanceType: new ec2.InstanceType('t3.small'), capacity: { min: 1, max: 2 },
    });
    const policy = resourcesOf(Template.fromStack(fleet), 'AWS::IAM::Policy').find(p => p.id.includes('ImageInUseTag'))!;
    expect(JSON.parse(JSON.stringify(policy.props.PolicyDocument.Statement, (_k, v) => flatten(v)))).toEqual([{
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Effect: 'Allow',
      Resource: 'arn:aws:ec2:eu-west-1::image/*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-immutable-infra:in-use'] } },
    }]);
  });

  test('rules out of order fail synth: delete before deprecate, disable after delete, deprecate after disable', () => {
    const days = (n: number) => LifecycleThreshold.age(Duration.days(n));
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle({ deprecate: { after: days(90) }, delete: { after: days(30) } }) })))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.delete.after 30: the delete rule acts after 30 days, no later than the deprecate rule (90), '
        + 'so builds are deleted before they are deprecated. Give the delete rule a larger threshold than the deprecate rule (more than 90 days), or drop one of them');
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle({ disable: { after: days(90) }, delete: { after: days(90) } }) })))
      .toMatch(/invalid keepImages\.delete\.after 90: the delete rule acts after 90 days, no later than the disable rule \(90\), so builds are deleted before they are disabled/);
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle({ deprecate: { after: days(60) }, disable: { after: days(30) } }) })))
      .toMatch(/invalid keepImages\.disable\.after 30: the disable rule acts after 30 days, no later than the deprecate rule \(60\), so builds are disabled before they are deprecated/);
    // Thresholds of different kinds cannot be compared at synth.
    const mixed = ImageRetention.lifecycle({ deprecate: { after: days(30) }, delete: { after: LifecycleThreshold.count(3) } });
    expect(() => pipelineStack({ keepImages: mixed })).not.toThrow();
  });

  test('copies in other accounts: one warning naming the role they need, whichever pipeline comes first', () => {
    const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unretiredCopies')).map(w => String(w.entry.data));
    for (const retireFirst of [true, false]) {
      // Unencrypted: an AMI encrypted with the default EBS key cannot be copied to other accounts.
      const { stack, image } = imageStack({ rootVolume: { encrypted: false } });
      const retire = () => image.addPipeline('Retire', { keepImages: ImageRetention.count(3) });
      const copy = () => image.addPipeline('Copy', { distribution: [{ region: 'us-east-1', copyToAccounts: ['210987654321', '210987654322'] }] });
      if (retireFirst) {
        retire(); copy();
      } else {
        copy(); retire();
      }
      const warnings = warningsOf(stack);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/copied to 210987654321, 210987654322 \(copyToAccounts\), and Image Builder retires those copies only through a role named Ec2ImageBuilderCrossAccountLifecycleAccess in each account/);
    }
    const { stack, image } = imageStack();
    image.addPipeline('Retire', { keepImages: ImageRetention.count(3), distribution: [{ region: 'us-east-1' }] });
    expect(warningsOf(stack)).toEqual([]);
  });

  test('a count on a deprecate or disable rule fails synth: Image Builder documents and evaluates those by age only', () => {
    for (const action of ['deprecate', 'disable'] as const) {
      expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle({ [action]: { after: LifecycleThreshold.count(3) } }) })))
        .toBe(`Bake/WebImage/Rebake: invalid keepImages.${action}.after 'LifecycleThreshold.count(3)': Image Builder ${action}s builds by age only; counts are for delete rules. `
          + `Give the ${action} rule an age: LifecycleThreshold.age(Duration.days(n))`);
    }
  });

  test('empty region and account exclusions are left out (Image Builder takes 1 or more); long tag values fail synth', () => {
    const noneExcluded = { after: LifecycleThreshold.count(3), exclude: { regions: [], sharedAccounts: [] } };
    const { template } = pipelineStack({ keepImages: ImageRetention.lifecycle({ delete: noneExcluded }) });
    const amis = policyDetails(template)[0].ExclusionRules.Amis;
    expect(amis.Regions).toBeUndefined();
    expect(amis.SharedAccounts).toBeUndefined();
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle({ delete: { after: LifecycleThreshold.count(3), exclude: { amiTags: { keep: 'x'.repeat(257) } } } }) })))
      .toMatch(/^Bake\/WebImage\/Rebake: invalid keepImages\.delete\.exclude\.amiTags\['keep'\] 'x+\.\.\.': a tag value is at most 256 characters\. Give a shorter value$/);
  });

  test('an age rule that acts before the next scheduled build fails synth (it would reach the newest build); a deprecation only warns', () => {
    const weekly = PipelineSchedule.weekly({ day: WeekDay.MONDAY, hour: 3 });
    const disableAfter5 = ImageRetention.lifecycle({ disable: { after: LifecycleThreshold.age(Duration.days(5)) } });
    expect(errorOf(() => pipelineStack({ schedule: weekly, keepImages: disableAfter5 })))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.disable.after \'5 days\': the pipeline\'s schedule builds every 7 days, so a build is 5 days old before the next one exists: '
        + 'the disable rule would reach the newest build and keep nothing launchable. Give more than 7 days');
    const sundays = PipelineSchedule.expression('cron(0 4 ? * SUN *)');
    expect(errorOf(() => pipelineStack({ schedule: sundays, keepImages: ImageRetention.age(Duration.days(7)) })))
      .toMatch(/invalid keepImages '7 days': .* builds every 7 days, .*the delete rule would reach the newest build and keep nothing launchable beyond retainAtLeast/);
    expect(() => pipelineStack({ schedule: PipelineSchedule.daily({ hour: 1 }), keepImages: ImageRetention.age(Duration.days(2)) })).not.toThrow();
    expect(() => pipelineStack({ schedule: PipelineSchedule.manual(), keepImages: ImageRetention.age(Duration.days(1)) })).not.toThrow();
    const deprecateAfter3 = ImageRetention.lifecycle({ deprecate: { after: LifecycleThreshold.age(Duration.days(3)) } });
    const { stack } = pipelineStack({ schedule: weekly, keepImages: deprecateAfter3 });
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake',
      Match.stringLikeRegexp('keepImages.deprecate.after: 3 days is no longer than the pipeline\'s schedule \\(7 days between builds\\), so the newest build is deprecated'));
  });

  test('bad rule settings fail synth with the path, the prop, the value and the fix', () => {
    const fail = (rules: ImageLifecycleRules) => errorOf(() => pipelineStack({ keepImages: ImageRetention.lifecycle(rules) }));
    expect(fail({})).toBe('Bake/WebImage/Rebake: invalid keepImages {}: a lifecycle policy needs at least one rule. Give ImageRetention.lifecycle() a deprecate, disable or delete rule');
    expect(fail({ deprecate: { after: LifecycleThreshold.age(Duration.days(30), 2) } }))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.deprecate.after.retainAtLeast 2: Image Builder keeps retainAtLeast images for delete rules only, and this is a deprecate rule. '
        + 'Leave retainAtLeast out of the deprecate rule: LifecycleThreshold.age(30 days)');
    expect(fail({ delete: { after: LifecycleThreshold.count(3), includeAmis: false, includeSnapshots: true } }))
      .toMatch(/invalid keepImages\.delete\.includeSnapshots true: Image Builder deletes snapshots only together with their AMIs, and includeAmis is false\. Set includeAmis to true/);
    expect(fail({ delete: { after: LifecycleThreshold.count(3), includeContainers: true } }))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.delete.includeContainers true: the pipeline builds AMIs, not container images. Leave includeContainers out');
    expect(fail({ delete: { after: LifecycleThreshold.count(3), exclude: { sharedAccounts: ['12345'] } } }))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.delete.exclude.sharedAccounts[0] \'12345\': an AWS account id is 12 digits. Give the 12-digit account id');
    expect(fail({ delete: { after: LifecycleThreshold.count(3), exclude: { regions: ['Ireland'] } } }))
      .toMatch(/invalid keepImages\.delete\.exclude\.regions\[0\] 'Ireland': it is not an AWS region name/);
    expect(fail({ delete: { after: LifecycleThreshold.count(3), exclude: { amiTags: { 'aws:owner': 'x' } } } }))
      .toMatch(/invalid keepImages\.delete\.exclude\.amiTags 'aws:owner': a tag key is 1 to 128 letters.*not starting with aws:/);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_v, i) => [`tag${i}`, 'x']));
    expect(fail({ delete: { after: LifecycleThreshold.count(3), exclude: { amiTags: fifty } } }))
      .toBe('Bake/WebImage/Rebake: invalid keepImages.delete.exclude.amiTags \'51 tags\': Image Builder takes at most 50 exclusion tags (the library adds its own for AMIs in use). Give fewer tags');
    expect(fail({ delete: { after: LifecycleThreshold.count(3), exclude: { launchedWithin: Duration.days(366) } } }))
      .toMatch(/invalid keepImages\.delete\.exclude\.launchedWithin '366 days': Image Builder counts whole days from 1 to 365 here/);
  });
});

describe('schedules with a known interval', () => {
  test('weekly and daily schedules and expressions of that shape have an interval; others do not', () => {
    const { pipeline } = pipelineStack();
    const interval = (schedule: PipelineSchedule) => schedule._bind(pipeline, 'schedule').intervalDays;
    expect(interval(PipelineSchedule.weekly({ day: WeekDay.FRIDAY, hour: 2 }))).toBe(7);
    expect(interval(PipelineSchedule.daily({ hour: 2, minute: 30 }))).toBe(1);
    expect(interval(PipelineSchedule.expression('cron(0 4 ? * 2 *)'))).toBe(7);
    expect(interval(PipelineSchedule.expression('cron(0 4 * * ? *)'))).toBe(1);
    expect(interval(PipelineSchedule.expression('cron(0 4 ? * MON,THU *)'))).toBeUndefined();
    expect(interval(PipelineSchedule.expression('cron(0 4 1 * ? *)'))).toBeUndefined();
    expect(interval(PipelineSchedule.cron({ minute: '0', hour: '*/6' }))).toBeUndefined();
    expect(interval(PipelineSchedule.manual())).toBeUndefined();
  });
});
