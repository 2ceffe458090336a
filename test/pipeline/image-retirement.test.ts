import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ImageRetention } from '../../src/pipeline/image-retirement';
import { errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

describe('retirement of old builds', () => {
  test('keepImages count: a lifecycle policy deleting AMIs and snapshots beyond the newest n, never one launched in the last 30 days', () => {
    const { template, image, pipeline, stack } = pipelineStack({ keepImages: ImageRetention.count(5) });
    const policy = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy');
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.includes('Retirement'))!;
    expect(policy.props).toEqual({
      Name: expect.stringMatching(/^bake-webimage-rebake-[0-9a-f]{8}-retirement$/),
      Description: expect.stringContaining('never one launched in the last 30 days'),
      ExecutionRole: { 'Fn::GetAtt': [role.id, 'Arn'] },
      ResourceType: 'AMI_IMAGE',
      Status: 'ENABLED',
      ResourceSelection: { TagMap: { 'cdk-immutable-infra:image': image.imageName } },
      PolicyDetails: [{
        Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
        Filter: { Type: 'COUNT', Value: 5 },
        ExclusionRules: { Amis: { LastLaunched: { Value: 30, Unit: 'DAYS' } } },
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

  test('the execution role is Image Builder\'s documented lifecycle role, trusted by Image Builder for this account only', () => {
    const { template } = pipelineStack({ keepImages: ImageRetention.count(5) });
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.includes('Retirement'))!;
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'imagebuilder.amazonaws.com' },
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
    }]);
    expect(role.props.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy']] },
    ]);
    expect(resourcesOf(template, 'AWS::IAM::Policy')).toEqual([]);
  });

  test('keepImages age, with retainAtLeast and a longer launch window', () => {
    const { template } = pipelineStack({
      keepImages: ImageRetention.age(Duration.days(90), 3),
      keepImagesLaunchedWithin: Duration.days(60),
    });
    const detail = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy').props.PolicyDetails[0];
    expect(detail.Filter).toEqual({ Type: 'AGE', Value: 90, Unit: 'DAYS', RetainAtLeast: 3 });
    expect(detail.ExclusionRules).toEqual({ Amis: { LastLaunched: { Value: 60, Unit: 'DAYS' } } });
    const defaults = pipelineStack({ keepImages: ImageRetention.age(Duration.days(30)) }).template;
    expect(onlyResource(defaults, 'AWS::ImageBuilder::LifecyclePolicy').props.PolicyDetails[0].Filter.RetainAtLeast).toBe(1);
  });

  test.each([0, -1, 1.5, 1001])('keepImages count %p fails synth with the path, the prop and the fix', images => {
    expect(errorOf(() => pipelineStack({ keepImages: ImageRetention.count(images) })))
      .toBe(`Bake/WebImage/Rebake: invalid keepImages ${images}: Image Builder keeps a whole number of images from 1 to 1000, and at least the newest one must stay. `
        + 'Give ImageRetention.count(n) with n of 1 or more');
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
      .toMatch(/^Bake\/WebImage\/Nightly: invalid keepImages .*: the builds of Bake\/WebImage are already retired by Bake\/WebImage\/Weekly.*Set keepImages on one pipeline of the image only$/);
  });

  test('a launch window without keepImages is flagged', () => {
    const { stack } = pipelineStack({ keepImagesLaunchedWithin: Duration.days(10) });
    Annotations.fromStack(stack).hasWarning('/Bake/WebImage/Rebake', Match.stringLikeRegexp('keepImagesLaunchedWithin has no effect without keepImages'));
  });
});
