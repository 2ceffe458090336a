import { App, Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { nagFinding, suppressNagRule } from '../../src/private/nag-suppressions';

const SSM_CORE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore';
const REASON = 'the service documents this managed policy as what its instances need';

function newStack(env?: { account: string; region: string }): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Stack', { env });
}

function roleWithManagedPolicy(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
}

/** `<rule> at <construct path>` for every finding cdk-nag 3 reports. */
function flagged(stack: Stack): string[] {
  return new AwsSolutionsChecks().validateScope(stack).violations
    .flatMap(v => v.violatingResources.map(r => `${v.ruleName} at ${r.constructPath}`))
    .sort();
}

describe('suppressNagRule, read by the real cdk-nag 3', () => {
  test('without it, an AWS-managed policy is flagged per policy (the check is live)', () => {
    const stack = newStack();
    roleWithManagedPolicy(stack, 'Role');
    expect(flagged(stack)).toEqual([`AwsSolutions-IAM4[${SSM_CORE}] at Stack/Role/Resource`]);
  });

  test('acknowledges exactly the findings it lists, on that resource only', () => {
    const stack = newStack();
    suppressNagRule(roleWithManagedPolicy(stack, 'Suppressed'), 'AwsSolutions-IAM4', REASON, [SSM_CORE]);
    roleWithManagedPolicy(stack, 'Other');
    expect(flagged(stack)).toEqual([`AwsSolutions-IAM4[${SSM_CORE}] at Stack/Other/Resource`]);
  });

  test('a finding it does not list stays flagged', () => {
    const stack = newStack();
    suppressNagRule(roleWithManagedPolicy(stack, 'Role'), 'AwsSolutions-IAM4', REASON, ['Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess']);
    expect(flagged(stack)).toEqual([`AwsSolutions-IAM4[${SSM_CORE}] at Stack/Role/Resource`]);
  });

  test('without appliesTo it acknowledges a whole rule that reports no findings', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    expect(flagged(stack)).toEqual(['AwsSolutions-SQS3 at Stack/Queue/Resource']);
    suppressNagRule(queue, 'AwsSolutions-SQS3', 'this queue is itself a dead-letter queue');
    expect(flagged(stack)).toEqual([]);
  });
});

describe('suppressNagRule, in the template for cdk-nag 2', () => {
  test('writes Metadata.cdk_nag.rules_to_suppress on the default CfnResource, merging repeated calls', () => {
    const stack = newStack();
    const role = roleWithManagedPolicy(stack, 'Role');
    suppressNagRule(role, 'AwsSolutions-IAM4', REASON, [SSM_CORE]);
    suppressNagRule(role, 'AwsSolutions-IAM5', 'actions without resource-level permissions', ['Resource::*']);

    Template.fromStack(stack).hasResource('AWS::IAM::Role', {
      Metadata: {
        cdk_nag: {
          rules_to_suppress: [
            { id: 'AwsSolutions-IAM4', reason: REASON, applies_to: [SSM_CORE] },
            { id: 'AwsSolutions-IAM5', reason: 'actions without resource-level permissions', applies_to: ['Resource::*'] },
          ],
        },
      },
    });
  });

  test('without appliesTo, no applies_to key', () => {
    const stack = newStack();
    suppressNagRule(new sqs.Queue(stack, 'Queue'), 'AwsSolutions-SQS3', 'this queue is itself a dead-letter queue');
    Template.fromStack(stack).hasResource('AWS::SQS::Queue', {
      Metadata: { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-SQS3', reason: 'this queue is itself a dead-letter queue' }] } },
    });
  });
});

describe('suppressNagRule refuses', () => {
  test('a reason that does not say why', () => {
    const stack = newStack();
    expect(() => suppressNagRule(roleWithManagedPolicy(stack, 'Role'), 'AwsSolutions-IAM4', 'needed', [SSM_CORE]))
      .toThrow(/Stack\/Role\/Resource: the reason for suppressing AwsSolutions-IAM4 must say why/);
  });

  test('an empty appliesTo, which would acknowledge nothing', () => {
    const stack = newStack();
    expect(() => suppressNagRule(roleWithManagedPolicy(stack, 'Role'), 'AwsSolutions-IAM4', REASON, []))
      .toThrow(/appliesTo for AwsSolutions-IAM4 lists no findings/);
  });

  test('a construct with no CloudFormation resource of its own (a wider scope)', () => {
    const stack = newStack();
    const group = new Construct(stack, 'Group');
    roleWithManagedPolicy(group, 'Role');
    expect(() => suppressNagRule(group, 'AwsSolutions-IAM4', REASON, [SSM_CORE]))
      .toThrow(/Stack\/Group: a cdk-nag suppression belongs on the flagged CloudFormation resource/);
  });
});

describe('nagFinding gives the finding ids cdk-nag 3 reports', () => {
  /** A role whose policy has wildcards in token-bearing ARNs, as a release controller's would. */
  function wildcardPolicy(stack: Stack) {
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const groups = `arn:${Aws.PARTITION}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*`;
    const versions = `${fn.functionArn}:*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['autoscaling:UpdateAutoScalingGroup'], resources: [groups] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [versions] }));
    return { policy: role.node.findChild('DefaultPolicy'), groups, versions };
  }

  test.each([
    ['an environment-agnostic stack', undefined],
    ['a stack with a concrete environment', { account: '123456789012', region: 'eu-west-1' }],
  ])('for token-bearing resource ARNs in %s', (_name, env) => {
    const stack = newStack(env);
    const { policy, groups, versions } = wildcardPolicy(stack);
    const findings = [nagFinding(stack, 'Resource', groups), nagFinding(stack, 'Resource', versions)];
    expect(flagged(stack).filter(f => f.startsWith('AwsSolutions-IAM5')))
      .toEqual(findings.map(f => `AwsSolutions-IAM5[${f}] at Stack/Role/DefaultPolicy/Resource`).sort());

    suppressNagRule(policy, 'AwsSolutions-IAM5', 'group ARNs carry a generated id; handler versions are published at deploy', findings);
    expect(flagged(stack).filter(f => f.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });

  test('for an AWS-managed policy ARN', () => {
    const stack = newStack();
    const managed = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore');
    expect(nagFinding(stack, 'Policy', managed.managedPolicyArn)).toBe(SSM_CORE);
  });

  test('renders Fn::Sub variables and other functions as cdk-nag does', () => {
    const stack = newStack();
    expect(nagFinding(stack, 'Resource', stack.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' }))).toBe('Resource::arn:<AWS::Partition>:s3:::b/*');
    expect(nagFinding(stack, 'Action', 's3:Get*')).toBe('Action::s3:Get*');
  });
});
