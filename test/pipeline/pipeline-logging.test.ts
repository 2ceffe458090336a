import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { imageStack, pipelineProps, pipelineStack, resourcesOf } from '../support/stacks';

describe('logging', () => {
  test('creates build and run log groups under /aws/imagebuilder/ with a retention, and needs no execution role', () => {
    const { template, pipeline } = pipelineStack({ logging: { retention: logs.RetentionDays.ONE_MONTH } });
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups.map(g => g.props).sort((a, b) => a.LogGroupName.localeCompare(b.LogGroupName))).toEqual([
      { LogGroupName: expect.stringMatching(/^\/aws\/imagebuilder\/bake-webimage-rebake-[0-9a-f]{8}\/builds$/), RetentionInDays: 30 },
      { LogGroupName: expect.stringMatching(/^\/aws\/imagebuilder\/bake-webimage-rebake-[0-9a-f]{8}\/runs$/), RetentionInDays: 30 },
    ]);
    const byName = Object.fromEntries(groups.map(g => [g.props.LogGroupName.split('/').pop(), g.id]));
    expect(pipelineProps(template).LoggingConfiguration).toEqual({
      ImageLogGroupName: { Ref: byName.builds },
      PipelineLogGroupName: { Ref: byName.runs },
    });
    expect(pipelineProps(template)).not.toHaveProperty('ExecutionRole');
    expect(groups[0].props.LogGroupName).toContain(pipeline.node.id.toLowerCase());
  });

  test('the default retention is three months', () => {
    const { template } = pipelineStack({ logging: {} });
    expect(resourcesOf(template, 'AWS::Logs::LogGroup').map(g => g.props.RetentionInDays)).toEqual([90, 90]);
  });

  test('a given group outside /aws/imagebuilder/ gets an execution role that may write to it', () => {
    const { stack, image } = imageStack();
    const group = new logs.LogGroup(stack, 'Audit', { logGroupName: '/audit/image-builds' });
    image.addPipeline('Rebake', { logging: { imageLogGroup: group } });
    const template = Template.fromStack(stack);
    const auditId = stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup);
    expect(pipelineProps(template).LoggingConfiguration.ImageLogGroupName).toEqual({ Ref: auditId });
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')).toHaveLength(2);
    const executionRole = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageExecutionRole'))!;
    expect(pipelineProps(template).ExecutionRole).toEqual({ 'Fn::GetAtt': [executionRole.id, 'Arn'] });
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    for (const roleId of [executionRole.id, resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('WebImageInstanceRole'))!.id]) {
      const policy = policies.find(p => JSON.stringify(p.props.Roles).includes(roleId))!;
      expect(policy.props.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [auditId, 'Arn'] },
      }));
    }
  });
});
