import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoldenImage, ParentImage, Provisioner } from '../../src';
import { ENV, errorOf, imageStack, onlyResource, pipelineStack, resourcesOf } from '../support/stacks';

describe('notifications', () => {
  test('a created topic is encrypted with a rotating key Image Builder\'s service-linked role may use, enforces TLS, and has the e-mail subscribers', () => {
    const { template, pipeline } = pipelineStack({ notifications: { emails: ['ops@example.com', 'oncall@example.com'] } });
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(topic.props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.props.EnableKeyRotation).toBe(true);
    expect(key.props.KeyPolicy.Statement).toContainEqual({
      Sid: 'ImageBuilderPublishesNotifications',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder']],
          },
        },
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(resourcesOf(template, 'AWS::SNS::Subscription').map(s => [s.props.Protocol, s.props.Endpoint]).sort())
      .toEqual([['email', 'oncall@example.com'], ['email', 'ops@example.com']]);
    expect(onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props.SnsTopicArn).toEqual({ Ref: topic.id });
    expect(pipeline.notificationTopic).toBeDefined();
  });

  test('a given topic is used as is', () => {
    const { stack, image } = imageStack();
    const topic = new sns.Topic(stack, 'Ops');
    const pipeline = image.addPipeline('Rebake', { notifications: { topic } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props.SnsTopicArn)
      .toEqual({ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) });
    expect(pipeline.notificationTopic).toBe(topic);
  });

  test('the image\'s own topic is reused, and a different one is refused', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const own = new sns.Topic(stack, 'Own');
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.updateOs()],
      notificationTopic: own,
    });
    const pipeline = image.addPipeline('Rebake', { notifications: { emails: ['ops@example.com'] } });
    expect(pipeline.notificationTopic).toBe(own);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
    expect(errorOf(() => image.addPipeline('Other', { notifications: { topic: new sns.Topic(stack, 'Other') } })))
      .toBe('Bake/WebImage/Other: invalid notifications.topic \'Bake/Other\': the image already notifies Bake/Own, and Image Builder takes one topic per '
        + 'infrastructure configuration. Give the same topic, or leave notifications.topic out to use the image\'s');
  });

  test('an address that is not one fails synth', () => {
    expect(errorOf(() => pipelineStack({ notifications: { emails: ['ops.example.com'] } })))
      .toBe('Bake/WebImage/Rebake: invalid notifications.emails[0] \'ops.example.com\': it is not an e-mail address. Give an address such as ops@example.com');
  });
});
