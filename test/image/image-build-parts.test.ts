import { Template } from 'aws-cdk-lib/assertions';
import { ImagePipelineOptions } from '../../src';
import { imageStack, resourcesOf } from '../support/stacks';

/** Pipeline options that need the image's execution role: an SSM output outside /imagebuilder/. */
const SSM_OUTPUT: ImagePipelineOptions = { distribution: [{ ssmParameters: [{ parameterName: '/golden/web/latest' }] }] };
/** Pipeline options that create a notification topic encrypted with a new KMS key. */
const NOTIFICATIONS: ImagePipelineOptions = { notifications: { emails: ['ops@example.com'] } };

/** The image with two pipelines added in the given order, and what the template holds. */
function twoPipelines(first: ImagePipelineOptions, second: ImagePipelineOptions) {
  const { stack, image } = imageStack({ buildOnDeploy: false });
  image.addPipeline('First', first);
  image.addPipeline('Second', second);
  const template = Template.fromStack(stack);
  const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!;
  const statements = resourcesOf(template, 'AWS::IAM::Policy')
    .filter(p => JSON.stringify(p.props.Roles).includes(role.id))
    .flatMap(p => p.props.PolicyDocument.Statement);
  const key = resourcesOf(template, 'AWS::KMS::Key')[0];
  return { template, role, statements, key };
}

describe('two pipelines on one image, in either order', () => {
  test.each([
    ['notifications first, SSM outputs second', NOTIFICATIONS, SSM_OUTPUT],
    ['SSM outputs first, notifications second', SSM_OUTPUT, NOTIFICATIONS],
  ])('%s: the execution role may write the parameter and use the topic\'s key, and both pipelines run with it', (_, first, second) => {
    const { template, role, statements, key } = twoPipelines(first, second);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'ssm:PutParameter',
      Resource: expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([expect.stringContaining(':parameter/golden/web/latest')])] }),
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [key.id, 'Arn'] },
    }));
    const pipelines = resourcesOf(template, 'AWS::ImageBuilder::ImagePipeline');
    expect(pipelines.map(p => p.props.ExecutionRole)).toEqual([{ 'Fn::GetAtt': [role.id, 'Arn'] }, { 'Fn::GetAtt': [role.id, 'Arn'] }]);
    const topic = resourcesOf(template, 'AWS::SNS::Topic')[0];
    expect(resourcesOf(template, 'AWS::ImageBuilder::InfrastructureConfiguration')[0].props.SnsTopicArn).toEqual({ Ref: topic.id });
  });

  test.each([
    ['the run first, the role\'s need second', { runOnDeploy: true }, SSM_OUTPUT],
    ['the role\'s need first, the run second', SSM_OUTPUT, { runOnDeploy: true }],
  ])('%s: a deploy-time run waits for the execution role and its policy', (_, first, second) => {
    const { template, role } = twoPipelines(first, second);
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => JSON.stringify(p.props.Roles).includes(role.id))!.id;
    const run = Object.values(template.findResources('AWS::ImageBuilder::Image'))[0] as any;
    expect(run.DependsOn).toEqual(expect.arrayContaining([role.id, policy]));
  });
});
