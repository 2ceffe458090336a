import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ImageRetention, LifecycleThreshold } from '../../src/pipeline/image-retirement';
import { errorOf, imageStack, onlyResource, resourcesOf } from '../support/stacks';

process.env.CDK_VALIDATION = 'false';

describe('GoldenImage deprecateAfter', () => {
  test('a lifecycle policy deprecates every build and its distributed AMIs once it is that old; nothing is disabled or deleted', () => {
    const { stack, image } = imageStack({ deprecateAfter: Duration.days(30) });
    const template = Template.fromStack(stack);
    const policy = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy');
    expect(policy.props).toEqual({
      Name: expect.stringMatching(/^bake-webimage-[0-9a-f]{8}-deprecation$/),
      Description: `Retires old builds of ${image.imageName}: deprecates them`,
      ExecutionRole: { 'Fn::GetAtt': [expect.stringMatching(/^WebImageDeprecationExecutionRole/), 'Arn'] },
      ResourceType: 'AMI_IMAGE',
      Status: 'ENABLED',
      // The deploy-time build carries the tag the policy selects by.
      ResourceSelection: { TagMap: onlyResource(template, 'AWS::ImageBuilder::Image').props.Tags },
      PolicyDetails: [{ Action: { Type: 'DEPRECATE', IncludeResources: { Amis: true } }, Filter: { Type: 'AGE', Value: 30, Unit: 'DAYS' } }],
    });
    const actions = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.id.includes('Deprecation'))!
      .props.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(['ec2:CreateTags', 'ec2:DescribeImageAttribute', 'ec2:DescribeImages', 'ec2:EnableImageDeprecation', 'tag:GetResources']);
  });

  test('no policy without deprecateAfter', () => {
    const { stack } = imageStack();
    expect(resourcesOf(Template.fromStack(stack), 'AWS::ImageBuilder::LifecyclePolicy')).toEqual([]);
  });

  test('bad values and a pipeline that also retires the builds fail synth with the path, the prop and the fix', () => {
    expect(errorOf(() => imageStack({ deprecateAfter: Duration.hours(12) })))
      .toBe('Bake/WebImage: invalid deprecateAfter \'12 hours\': Image Builder counts whole days from 1 to 1000 here. Give a whole number of days, for example Duration.days(1)');
    const { image } = imageStack({ deprecateAfter: Duration.days(30) });
    expect(errorOf(() => image.addPipeline('Rebake', {
      keepImages: ImageRetention.lifecycle({ delete: { after: LifecycleThreshold.age(Duration.days(90)) } }),
    }))).toBe('Bake/WebImage/Rebake: invalid keepImages \'ImageRetention\': the builds of Bake/WebImage are already retired by Bake/WebImage, '
      + 'and two lifecycle policies over the same builds would fight. Set keepImages on one pipeline of the image only, and give the image no deprecateAfter (put a deprecate rule in keepImages instead)');
  });
});
