import { ArnFormat, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { IsCompleteFunction } from '../handlers/release-controller/is-complete-function';
import { OnEventFunction } from '../handlers/release-controller/on-event-function';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';
import { CONTROLLER_TAG_KEY } from './release-properties';

/** The fixed id under the stack by which every deployment finds the one controller. */
const CONTROLLER_ID = 'cdk-immutable-infra.ReleaseController';

/** Where release controllers keep their state, one parameter per deployment. */
export const STATE_PARAMETER_ROOT = '/cdk-immutable-infra/releases';

export { CONTROLLER_TAG_KEY };

/** How often the provider framework polls isComplete. */
const QUERY_INTERVAL = Duration.seconds(10);

/**
 * The provider framework's waiter gives up after this; a release itself must end earlier
 * (see release-timing.ts), because CloudFormation stops waiting for a custom resource after
 * one hour whatever the waiter does.
 */
const TOTAL_TIMEOUT = Duration.hours(1);

/**
 * The release controller of one stack: a single custom resource provider (onEvent and
 * isComplete Lambda functions, the provider framework's waiter) shared by every
 * ImmutableDeployment in the stack, with permissions that grow by what each deployment needs.
 */
export class ReleaseController extends Construct {
  /** The stack's controller, created on first use. */
  public static of(scope: IConstruct): ReleaseController {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(CONTROLLER_ID);
    return existing instanceof ReleaseController ? existing : new ReleaseController(stack, CONTROLLER_ID);
  }

  /** The provider's service token, for the release custom resources. */
  public readonly serviceToken: string;

  /** The value of CONTROLLER_TAG_KEY on the groups this controller may resize. */
  public readonly tagValue: string;

  /** The SSM parameter path (no trailing slash) under which this stack's deployments keep state. */
  public readonly stateParameterPath: string;

  private readonly worker: iam.IRole;
  private readonly grantedListeners = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.tagValue = this.node.addr;
    this.stateParameterPath = `${STATE_PARAMETER_ROOT}/${stack.stackName}`;

    // onEvent only checks properties and names the resource: it calls no AWS API and gets no permissions.
    const onEvent = new OnEventFunction(this, 'OnEvent', {
      description: 'cdk-immutable-infra release controller: checks a release request',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: this.logGroup('OnEventLogs'),
    });
    // isComplete runs each step of a release; a few API calls per poll, with adaptive retries.
    const isComplete = new IsCompleteFunction(this, 'IsComplete', {
      description: 'cdk-immutable-infra release controller: runs releases step by step',
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: this.logGroup('IsCompleteLogs'),
    });
    this.worker = isComplete.role!;
    this.grantCommon();

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      // Every state transition of the waiter, for AwsSolutions-SF1 and for whoever debugs a release.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroup('WaiterLogs'), level: sfn.LogLevel.ALL },
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeNagFindings(onEvent, isComplete, provider);
  }

  /**
   * Lets the controller own a rule on `listenerArn`: create it there, and change or delete
   * rules of that listener.
   */
  public grantListener(listenerArn: string): void {
    if (this.grantedListeners.has(listenerArn)) {
      return;
    }
    this.grantedListeners.add(listenerArn);
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:CreateRule'],
      resources: [listenerArn],
    }));
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
      resources: [rulesOfListener(listenerArn)],
    }));
    suppressNagRule(this.workerPolicy(), 'AwsSolutions-IAM5',
      'The rule the controller creates gets its id at deploy time: the grant covers the rules of this one listener',
      [nagFinding(this, 'Resource', rulesOfListener(listenerArn))]);
  }

  private grantCommon(): void {
    const stack = Stack.of(this);
    const groups = stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const parameters = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${this.stateParameterPath.replace(/^\//, '')}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Describe calls take no resource-level permissions.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetHealth',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeScalingActivities',
        'cloudwatch:DescribeAlarms',
      ],
      resources: ['*'],
    }));
    // Only groups tagged for this stack's controller can be resized.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['autoscaling:SetDesiredCapacity'],
      resources: [groups],
      conditions: { StringEquals: { [`aws:ResourceTag/${CONTROLLER_TAG_KEY}`]: this.tagValue } },
    }));
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
      resources: [parameters],
    }));
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    }));
    suppressNagRule(this.workerPolicy(), 'AwsSolutions-IAM5',
      'Describe calls take no resource-level permissions; Auto Scaling group ARNs carry a generated id, so '
      + 'SetDesiredCapacity is limited by the controller tag condition instead; the state parameters are this stack\'s own path',
      ['Resource::*', nagFinding(this, 'Resource', groups), nagFinding(this, 'Resource', parameters)]);
  }

  /** The isComplete role's default policy, where the grants above land. */
  private workerPolicy(): IConstruct {
    return this.worker.node.findChild('DefaultPolicy');
  }

  /**
   * What cdk-nag's AwsSolutions pack flags in the controller and the library keeps on purpose:
   * the Lambda basic execution policy aws-cdk-lib attaches, the provider framework's own
   * invoke-any-version grants, and its waiter state machine, which has no tracing option.
   */
  private acknowledgeNagFindings(onEvent: lambda.Function, isComplete: lambda.Function, provider: cr.Provider): void {
    const basicExecution = nagFinding(this, 'Policy',
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole').managedPolicyArn);
    const logsOnly = 'AWSLambdaBasicExecutionRole only lets the function write its logs; aws-cdk-lib attaches it to the roles it creates for functions';
    const handlers = [onEvent, isComplete].map(fn => nagFinding(this, 'Resource', `${fn.functionArn}:*`));
    for (const fn of [onEvent, isComplete]) {
      suppressNagRule(fn.role!, 'AwsSolutions-IAM4', logsOnly, [basicExecution]);
    }
    const frameworkIds = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'];
    for (const id of frameworkIds) {
      const fn = provider.node.findChild(id) as lambda.Function;
      suppressNagRule(fn.role!, 'AwsSolutions-IAM4', logsOnly, [basicExecution]);
      suppressNagRule(fn.role!.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
        'aws-cdk-lib\'s custom resource provider framework invokes the handlers by qualified ARN (any version)', handlers);
    }
    const waiter = provider.node.findChild('waiter-state-machine');
    suppressNagRule(waiter.node.findChild('Role').node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
      'aws-cdk-lib\'s provider framework waiter invokes its isComplete and onTimeout functions by qualified ARN (any version), '
      + 'and CloudWatch Logs\' log delivery calls for its execution log take no resource-level permissions',
      ['Resource::*', ...['framework-isComplete', 'framework-onTimeout']
        .map(id => nagFinding(this, 'Resource', `${(provider.node.findChild(id) as lambda.Function).functionArn}:*`))]);
    suppressNagRule(waiter.node.findChild('Resource'), 'AwsSolutions-SF2',
      'aws-cdk-lib\'s provider framework waiter only polls isComplete; it offers no X-Ray tracing option, and the handlers log each step');
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: logs.RetentionDays.ONE_MONTH });
  }
}

/**
 * The ARN pattern of a listener's rules: a listener
 * `arn:…:listener/app/<lb>/<lb-id>/<listener-id>` has rules
 * `arn:…:listener-rule/app/<lb>/<lb-id>/<listener-id>/<rule-id>`. For an ARN known only at
 * deploy time the same is built with Fn::Split and Fn::Join.
 */
function rulesOfListener(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    return `${listenerArn.replace(':listener/', ':listener-rule/')}/*`;
  }
  const halves = Fn.split(':listener/', listenerArn);
  return Fn.join('', [Fn.select(0, halves), ':listener-rule/', Fn.select(1, halves), '/*']);
}
