import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SsmParameterOutput } from './image-distribution';
import { awsManagedPolicy } from '../private/aws-managed-policy';
import { imageBuilderServiceRole } from '../private/image-builder-role';
import { suppressNagRule } from '../private/nag-suppressions';

/** The AWS-managed baseline Image Builder documents for execution roles. */
const EXECUTION_POLICY = 'EC2ImageBuilderExecutionPolicy';

/** The AWS-managed policy Image Builder documents for enabling EC2 Fast Launch during distribution. */
const FAST_LAUNCH_POLICY = 'EC2FastLaunchFullAccess';

/** What Image Builder's service-linked role may write on its own. */
const SERVICE_ROLE_PARAMETER_PREFIX = '/imagebuilder/';

/**
 * True when writing this parameter needs an execution role: Image Builder's service-linked role
 * only writes parameters under `/imagebuilder/`, and none in other accounts.
 */
export function needsExecutionRole(parameter: SsmParameterOutput, account: string): boolean {
  return isOwnAccount(parameter, account) && !parameter.parameterName.startsWith(SERVICE_ROLE_PARAMETER_PREFIX);
}

function isOwnAccount(parameter: SsmParameterOutput, account: string): boolean {
  return parameter.amiAccountId === undefined || parameter.amiAccountId === account;
}

/**
 * The role Image Builder runs an image's builds with when a feature needs one (outputs its
 * service-linked role may not write): the documented baseline, to which the image's build
 * parts add what its outputs and keys need.
 */
export function createExecutionRole(image: Construct): iam.Role {
  return imageBuilderServiceRole(image, 'ExecutionRole', {
    description: 'Image Builder runs this image\'s builds with this role: the documented baseline, plus its own outputs',
    managedPolicyName: EXECUTION_POLICY,
    managedPolicyReason: 'Image Builder documents this AWS-managed policy as the baseline of an execution role (launching build instances, '
      + 'making AMIs); AWS keeps it in step with the service, which a copied inline policy would not be',
  });
}

/**
 * Lets the role write the given SSM parameters of the stack's account. Systems Manager checks an
 * `aws:ec2:image` value with ec2:DescribeImages, which the execution role's AWS-managed
 * EC2ImageBuilderExecutionPolicy already grants
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderExecutionPolicy.html).
 */
export function grantParameterWrites(role: iam.IRole, stack: Stack, parameters: SsmParameterOutput[]): void {
  const own = parameters.filter(p => isOwnAccount(p, stack.account));
  if (own.length === 0) {
    return;
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:PutParameter'],
    resources: own.flatMap(p => parameterArns(stack, p)),
  }));
}

/**
 * A parameter's ARN is `parameter/<name without its leading slash>`: a hierarchical name's
 * slash is the ARN's separator. A name known only at deploy time may have one or not, so it
 * gets both forms (the other matches no parameter).
 */
function parameterArns(stack: Stack, parameter: SsmParameterOutput): string[] {
  const name = parameter.parameterName;
  const arn = (resource: string, resourceName?: string) => stack.formatArn({
    service: 'ssm',
    region: parameter.region,
    resource,
    resourceName,
    arnFormat: resourceName === undefined ? ArnFormat.NO_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME,
  });
  if (!Token.isUnresolved(name)) {
    return [arn('parameter', name.startsWith('/') ? name.slice(1) : name)];
  }
  return [arn('parameter', name), arn(`parameter${name}`)];
}

/**
 * Lets the execution role enable EC2 Fast Launch on the image's Windows AMIs. Image Builder's
 * prerequisites for Fast Launch: without a launch template of yours "you must attach the
 * EC2FastLaunchFullAccess policy to the IAM role that Image Builder uses to create your image",
 * and with an execution role "you would add any additional feature permissions to that role"
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html#ami-distribution-prereqs-fast-launch).
 * With a launch template the page names no policy; EC2 then checks that the caller may launch
 * from the AMI and the template (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/win-fast-launch-configure.html),
 * which the same policy allows, so the role gets it either way.
 */
export function allowFastLaunch(role: iam.IRole): void {
  role.addManagedPolicy(awsManagedPolicy(FAST_LAUNCH_POLICY));
  suppressNagRule(role, 'AwsSolutions-IAM4', 'Image Builder documents EC2FastLaunchFullAccess as what the role it builds with needs to enable EC2 Fast Launch '
    + '(and to let Fast Launch create its own VPC stack when no launch template is given); AWS keeps it in step with the service',
  [`Policy::arn:<AWS::Partition>:iam::aws:policy/${FAST_LAUNCH_POLICY}`]);
}
