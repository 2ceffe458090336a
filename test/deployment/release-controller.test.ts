import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { baseProps, countByType, newStack, only, releaseProperties } from './deployment-fixtures';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';

const SHARED_LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210';

function stackWith(deployments: number) {
  const { app, stack, vpc } = newStack();
  for (let i = 0; i < deployments; i++) {
    new ImmutableDeployment(stack, `Web${i}`, baseProps(vpc));
  }
  return { app, stack, template: Template.fromStack(stack) };
}

function isCompleteFunctions(template: Template): string[] {
  return Object.entries<any>(template.findResources('AWS::Lambda::Function'))
    .filter(([, f]) => f.Properties.Description === 'cdk-immutable-infra release controller: runs releases step by step')
    .map(([id]) => id);
}

function workerPolicy(template: Template): any[] {
  const [id] = isCompleteFunctions(template);
  const role = template.toJSON().Resources[id].Properties.Role['Fn::GetAtt'][0];
  return Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .filter(p => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
}

describe('one provider per stack', () => {
  test.each([1, 5])('%i deployment(s): one isComplete function, one waiter, five Lambda functions in all', (n) => {
    const { template } = stackWith(n);
    expect(isCompleteFunctions(template)).toHaveLength(1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('Custom::ImmutableRelease', n);
    const tokens = new Set(Object.values<any>(template.findResources('Custom::ImmutableRelease')).map(r => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('deployments in two stacks get a provider each', () => {
    const { app, stack, vpc } = newStack();
    new ImmutableDeployment(stack, 'Web', baseProps(vpc));
    const other = new Stack(app, 'Other');
    const otherVpc = new ec2.Vpc(other, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new ImmutableDeployment(other, 'Web', baseProps(otherVpc));
    expect(isCompleteFunctions(Template.fromStack(stack))).toHaveLength(1);
    expect(isCompleteFunctions(Template.fromStack(other))).toHaveLength(1);
  });

  test('the waiter polls every 10 s for at most an hour', () => {
    const { template } = stackWith(1);
    const definition = JSON.stringify(only(template, 'AWS::StepFunctions::StateMachine').resource.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":10');
    expect(definition).toContain('\\"MaxAttempts\\":360');
  });

  test('the functions: bundled handlers, Node.js 24, one-month logs in stack-owned groups, only isComplete gets AWS permissions', () => {
    const { template } = stackWith(1);
    const ours = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .filter(f => String(f.Properties.Description).startsWith('cdk-immutable-infra release controller'));
    expect(ours).toHaveLength(2);
    for (const fn of ours) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', MemorySize: 256, LoggingConfig: { LogGroup: { Ref: expect.any(String) } } });
    }
    // One log group per function of ours, one for the framework's functions, and one for the
    // waiter state machine's every transition.
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WaiterLogs'), 'Arn'] } } }] },
    });
    const onEvent = ours.find(f => f.Properties.Description.includes('checks'));
    const onEventRole = onEvent.Properties.Role['Fn::GetAtt'][0];
    const onEventStatements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => p.Properties.Roles.some((r: any) => r.Ref === onEventRole))
      .flatMap(p => p.Properties.PolicyDocument.Statement);
    // Its own log group, nothing else.
    expect(onEventStatements).toEqual([{
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/OnEventLogs/), 'Arn'] },
    }]);
  });

  test('no function of the controller may create log groups: each writes to a stack-owned group, with no AWSLambdaBasicExecutionRole', () => {
    const { template } = stackWith(1);
    const functionRoles = Object.values<any>(template.findResources('AWS::Lambda::Function')).map(f => f.Properties.Role['Fn::GetAtt'][0]);
    expect(functionRoles).toHaveLength(5);
    const roles = template.toJSON().Resources;
    for (const role of functionRoles) {
      expect(roles[role].Properties.ManagedPolicyArns).toBeUndefined();
    }
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => p.Properties.Roles.some((r: any) => functionRoles.includes(r.Ref)))
      .flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(JSON.stringify(statements)).not.toContain('logs:CreateLogGroup');
    for (const fn of Object.values<any>(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    }
  });
});

describe('least-privilege permissions of the release controller', () => {
  test('describe calls on *, resizing only tagged groups, state in its own table, alarms by ARN, events on the default bus', () => {
    const { template } = stackWith(1);
    const statements = workerPolicy(template);
    const table = only(template, 'AWS::DynamoDB::Table').id;
    expect(statements).toEqual(expect.arrayContaining([
      {
        Effect: 'Allow',
        Resource: '*',
        Action: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetHealth',
          'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities'],
      },
      expect.objectContaining({
        Action: 'autoscaling:SetDesiredCapacity',
        Condition: { StringEquals: { 'aws:ResourceTag/cdk-immutable-infra:release-controller': expect.any(String) } },
      }),
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: { 'Fn::GetAtt': [table, 'Arn'] } },
      // The deployment's two metric alarms, by ARN: nothing else.
      {
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/TargetErrorsAlarm/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/UnhealthyHostsAlarm/), 'Arn'] }],
      },
      expect.objectContaining({
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
      }),
    ]));
    const tagged = statements.find(s => s.Action === 'autoscaling:SetDesiredCapacity');
    const groupTag = only(template, 'AWS::AutoScaling::AutoScalingGroup').resource.Properties.Tags[0];
    expect(tagged.Condition.StringEquals['aws:ResourceTag/cdk-immutable-infra:release-controller']).toBe(groupTag.Value);
    const writes = statements.filter(s => JSON.stringify(s.Action).match(/Create|Modify|Delete|Set|Put|Update|Add/)).map(s => s.Resource);
    expect(writes).not.toContain('*');
    expect(statements.filter(s => s.Resource === '*').flatMap(s => s.Action)).not.toContain('cloudwatch:DescribeAlarms');
  });

  test('a metric alarm added after construction (addRollbackAlarm) is granted by its ARN too', () => {
    const { stack, vpc } = newStack();
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc));
    const latency = deployment.metricTargetResponseTime().createAlarm(stack, 'Latency', { threshold: 1, evaluationPeriods: 1 });
    deployment.addRollbackAlarm(latency);
    const describe = workerPolicy(Template.fromStack(stack)).find(s => s.Action === 'cloudwatch:DescribeAlarms');
    expect(describe.Resource).toContainEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Latency/), 'Arn'] });
    expect(describe.Resource).toHaveLength(3);
  });

  test('a composite or imported rollback alarm widens DescribeAlarms to *, which composite alarms need', () => {
    const { stack, vpc } = newStack();
    const imported = cloudwatch.Alarm.fromAlarmName(stack, 'Imported', 'team-latency');
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { rollbackAlarms: [imported] }));
    const statements = workerPolicy(Template.fromStack(stack));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: '*' });
  });

  test('the state table: keyed by deployment name, on demand, encrypted with the AWS managed key, point-in-time recovery, destroyed with the stack', () => {
    const { template } = stackWith(2);
    const { resource } = only(template, 'AWS::DynamoDB::Table');
    expect(resource).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'Deployment', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'Deployment', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    const fn = template.toJSON().Resources[isCompleteFunctions(template)[0]];
    expect(fn.Properties.Environment.Variables).toMatchObject({
      RELEASE_STATE_TABLE: { Ref: only(template, 'AWS::DynamoDB::Table').id },
      RELEASE_CONTROLLER_TAG: Object.values<any>(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties.Tags[0].Value,
    });
  });

  test('rule writes are limited to the listeners of the stack\'s deployments', () => {
    const { stack, vpc } = newStack();
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Shared', {
      listenerArn: SHARED_LISTENER,
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedGroup', 'sg-0123456789abcdef0'),
    });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener, priority: 10 }));
    new ImmutableDeployment(stack, 'Api', baseProps(vpc, { listener, priority: 11 }));
    const statements = workerPolicy(Template.fromStack(stack));
    const tag = statements.find(s => s.Action === 'autoscaling:SetDesiredCapacity').Condition.StringEquals['aws:ResourceTag/cdk-immutable-infra:release-controller'];
    const rules = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/shared/0123456789abcdef/fedcba9876543210/*';
    // It creates rules only tagged as its own, tags only while creating, and changes only its own rules.
    expect(statements.filter(s => s.Action === 'elasticloadbalancing:CreateRule')).toEqual([{
      Effect: 'Allow',
      Action: 'elasticloadbalancing:CreateRule',
      Resource: SHARED_LISTENER,
      Condition: { StringEquals: { 'aws:RequestTag/cdk-immutable-infra:release-controller': tag } },
    }]);
    expect(statements.filter(s => s.Action === 'elasticloadbalancing:AddTags')).toEqual([{
      Effect: 'Allow',
      Action: 'elasticloadbalancing:AddTags',
      Resource: rules,
      Condition: {
        'StringEquals': { 'elasticloadbalancing:CreateAction': 'CreateRule', 'aws:RequestTag/cdk-immutable-infra:release-controller': tag },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-immutable-infra:release-controller', 'cdk-immutable-infra:release'] },
      },
    }]);
    const modify = statements.filter(s => JSON.stringify(s.Action).includes('ModifyRule'));
    expect(modify).toEqual([{
      Effect: 'Allow',
      Action: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
      Resource: rules,
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-immutable-infra:release-controller': tag } },
    }]);
  });

  test('an owned listener\'s rules are derived from its ARN at deploy time', () => {
    const { template } = stackWith(1);
    const listenerId = only(template, 'AWS::ElasticLoadBalancingV2::Listener').id;
    const modify = workerPolicy(template).find(s => JSON.stringify(s.Action).includes('ModifyRule'));
    const halves = { 'Fn::Split': [':listener/', { Ref: listenerId }] };
    expect(modify.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::Select': [0, halves] }, ':listener-rule/', { 'Fn::Select': [1, halves] }, '/*']] });
  });

  test('each deployment keeps its state in its own item: deployment names are unique in the stack', () => {
    const { template } = stackWith(2);
    const names = Object.values<any>(template.findResources('Custom::ImmutableRelease')).map(r => r.Properties.DeploymentName);
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name).toMatch(/^StackWeb[01][0-9A-F]{8}$/);
    }
  });
});

test('resources of a one-deployment stack, by type', () => {
  const { template } = stackWith(1);
  const counts = countByType(template);
  // The deployment itself, next to the VPC and the stack's one release controller.
  expect(counts).toMatchObject({
    'AWS::EC2::LaunchTemplate': 1,
    'AWS::IAM::InstanceProfile': 1,
    'AWS::AutoScaling::AutoScalingGroup': 1,
    'AWS::ElasticLoadBalancingV2::TargetGroup': 1,
    'AWS::ElasticLoadBalancingV2::LoadBalancer': 1,
    'AWS::ElasticLoadBalancingV2::Listener': 1,
    'AWS::CloudWatch::Alarm': 2,
    'Custom::ImmutableRelease': 1,
    'AWS::Lambda::Function': 5,
    'AWS::StepFunctions::StateMachine': 1,
    'AWS::Logs::LogGroup': 4,
    'AWS::DynamoDB::Table': 1,
  });
  expect(releaseProperties(template).DeploymentName).toMatch(/^StackWeb0/);
});
