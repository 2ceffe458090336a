import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { IsCompleteFunction } from '../handlers/release-controller/is-complete-function';
import { OnEventFunction } from '../handlers/release-controller/on-event-function';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';
import { CONTROLLER_ENVIRONMENT, CONTROLLER_TAG_KEY, RELEASE_TAG_KEY, STATE_TABLE_KEY } from '../release-contract/release-properties';

export { CONTROLLER_TAG_KEY };

/** The fixed id under the stack by which every deployment finds the one controller. */
const CONTROLLER_ID = 'cdk-immutable-infra.ReleaseController';

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
 * ImmutableDeployment in the stack, a DynamoDB table of release state (one item per
 * deployment, which also fences overlapping polls; see the handler's state-store.ts), and
 * permissions that grow by what each deployment needs.
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

  /** The value of CONTROLLER_TAG_KEY on the groups and rules this controller may change. */
  public readonly tagValue: string;

  /** The table of release state, one item per deployment. */
  public readonly stateTable: dynamodb.ITable;

  private readonly worker: iam.IRole;
  private readonly grantedListeners = new Set<string>();
  private metricAlarms?: iam.PolicyStatement;
  private anyAlarm = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tagValue = this.node.addr;
    this.stateTable = this.createStateTable();

    // onEvent only checks properties and names the resource: it calls no AWS API and gets no permissions.
    const onEventLogs = this.logGroup('OnEventLogs');
    const onEvent = new OnEventFunction(this, 'OnEvent', {
      description: 'cdk-immutable-infra release controller: checks a release request',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: onEventLogs,
      role: this.functionRole('OnEventRole', [onEventLogs]),
    });
    // isComplete runs each step of a release; a few API calls per poll, with adaptive retries.
    const isCompleteLogs = this.logGroup('IsCompleteLogs');
    this.worker = this.functionRole('IsCompleteRole', [isCompleteLogs]);
    const isComplete = new IsCompleteFunction(this, 'IsComplete', {
      description: 'cdk-immutable-infra release controller: runs releases step by step',
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: isCompleteLogs,
      role: this.worker,
      environment: {
        [CONTROLLER_ENVIRONMENT.stateTable]: this.stateTable.tableName,
        [CONTROLLER_ENVIRONMENT.controllerTag]: this.tagValue,
      },
    });
    this.grantCommon();

    // The framework's own functions log to a stack-owned group too, so their roles need no logs:CreateLogGroup.
    const frameworkLogs = this.logGroup('FrameworkLogs');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: frameworkLogs,
      frameworkOnEventRole: this.functionRole('FrameworkOnEventRole', [frameworkLogs]),
      frameworkCompleteAndTimeoutRole: this.functionRole('FrameworkCompleteRole', [frameworkLogs]),
      // Every state transition of the waiter, for AwsSolutions-SF1 and for whoever debugs a release.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroup('WaiterLogs'), level: sfn.LogLevel.ALL },
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeNagFindings(onEvent, isComplete, provider);
  }

  /**
   * Lets the controller own a rule on `listenerArn`: create rules there tagged as its own,
   * and change, reorder or delete only the rules that carry its tag. On a shared listener
   * every other rule stays out of its reach.
   */
  public grantListener(listenerArn: string): void {
    if (this.grantedListeners.has(listenerArn)) {
      return;
    }
    this.grantedListeners.add(listenerArn);
    const rules = rulesOfListener(listenerArn);
    const ownTag = { [`aws:ResourceTag/${CONTROLLER_TAG_KEY}`]: this.tagValue };
    // CreateRule takes aws:RequestTag conditions: the controller can only create rules tagged as its own.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:CreateRule'],
      resources: [listenerArn],
      conditions: { StringEquals: { [`aws:RequestTag/${CONTROLLER_TAG_KEY}`]: this.tagValue } },
    }));
    // Tags given to CreateRule are authorised as elasticloadbalancing:AddTags too; the
    // CreateAction condition allows that only as part of CreateRule, never on an existing rule.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/tagging-resources-during-creation.html
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:AddTags'],
      resources: [rules],
      conditions: {
        'StringEquals': { 'elasticloadbalancing:CreateAction': 'CreateRule', [`aws:RequestTag/${CONTROLLER_TAG_KEY}`]: this.tagValue },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [CONTROLLER_TAG_KEY, RELEASE_TAG_KEY] },
      },
    }));
    // The listener-rule resource type carries aws:ResourceTag (Service Authorization Reference,
    // Elastic Load Balancing V2, resource type listener-rule/app), which applies to all three actions.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
      resources: [rules],
      conditions: { StringEquals: ownTag },
    }));
    suppressNagRule(this.workerPolicy(), 'AwsSolutions-IAM5',
      'The rule the controller creates gets its id at deploy time: the grant covers the rules of this one listener, and only those tagged as this controller\'s',
      [nagFinding(this, 'Resource', rules)]);
  }

  /** Lets the controller invoke a deployment's verify hook: that function only, unqualified, as the controller calls it. */
  public grantVerifyHook(hook: lambda.IFunction): void {
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [hook.functionArn] }));
  }

  /**
   * Lets the controller read `alarms` (a deployment's rollback alarms). Metric alarms are
   * granted by ARN. DescribeAlarms returns composite alarms only to a permission scoped to
   * `*` (its API reference), so a composite alarm, or an imported one that may be composite,
   * widens the grant to every alarm.
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
   */
  public grantAlarmRead(alarms: readonly cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      if (alarm instanceof cloudwatch.Alarm) {
        this.metricAlarmStatement().addResources(alarm.alarmArn);
      } else if (!this.anyAlarm) {
        this.anyAlarm = true;
        this.worker.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }));
        suppressNagRule(this.workerPolicy(), 'AwsSolutions-IAM5',
          'A composite (or imported, possibly composite) rollback alarm: DescribeAlarms returns composite alarms only to a permission scoped to *', ['Resource::*']);
      }
    }
  }

  private metricAlarmStatement(): iam.PolicyStatement {
    if (!this.metricAlarms) {
      this.metricAlarms = new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'] });
      this.worker.addToPrincipalPolicy(this.metricAlarms);
    }
    return this.metricAlarms;
  }

  private grantCommon(): void {
    const stack = Stack.of(this);
    const groups = stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // Describe calls take no resource-level permissions.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTargetHealth',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeScalingActivities',
      ],
      resources: ['*'],
    }));
    // Only groups tagged for this stack's controller can be resized.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['autoscaling:SetDesiredCapacity'],
      resources: [groups],
      conditions: { StringEquals: { [`aws:ResourceTag/${CONTROLLER_TAG_KEY}`]: this.tagValue } },
    }));
    // A poll reads its deployment's item, writes it conditionally, and a Delete deletes it.
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [this.stateTable.tableArn],
    }));
    this.worker.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    }));
    suppressNagRule(this.workerPolicy(), 'AwsSolutions-IAM5',
      'Describe calls take no resource-level permissions; Auto Scaling group ARNs carry a generated id, so '
      + 'SetDesiredCapacity is limited by the controller tag condition instead',
      ['Resource::*', nagFinding(this, 'Resource', groups)]);
  }

  /**
   * The state table. Encrypted with the AWS managed key (its use is logged in CloudTrail; no
   * key policy to maintain). Point-in-time recovery costs next to nothing for items of a few
   * KB and keeps a release's history inspectable after the fact. The table is destroyed with
   * the stack: by then every release resource has been deleted, and with it its item (a
   * retained table would outlive its stack with nothing in it, and a stack created again
   * recovers the live generation from the listener rule anyway).
   */
  private createStateTable(): dynamodb.Table {
    return new dynamodb.Table(this, 'State', {
      partitionKey: { name: STATE_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * A role for one of the controller's functions: it writes to its stack-owned log groups and
   * nothing else (no AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup on every group
   * these functions never need).
   */
  private functionRole(id: string, logGroups: logs.ILogGroup[]): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    for (const logGroup of logGroups) {
      logGroup.grantWrite(role);
    }
    return role;
  }

  /** The isComplete role's default policy, where the grants above land. */
  private workerPolicy(): IConstruct {
    return this.worker.node.findChild('DefaultPolicy');
  }

  /**
   * What cdk-nag's AwsSolutions pack flags in the controller and the library keeps on purpose:
   * the provider framework's own invoke-any-version grants, and its waiter state machine,
   * which has no tracing option.
   */
  private acknowledgeNagFindings(onEvent: lambda.Function, isComplete: lambda.Function, provider: cr.Provider): void {
    const handlers = [onEvent, isComplete].map(fn => nagFinding(this, 'Resource', `${fn.functionArn}:*`));
    suppressNagRule(this.node.findChild('FrameworkOnEventRole').node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
      'aws-cdk-lib\'s custom resource provider framework invokes the handlers by qualified ARN (any version)', handlers);
    suppressNagRule(this.node.findChild('FrameworkCompleteRole').node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
      'aws-cdk-lib\'s custom resource provider framework invokes the handlers by qualified ARN (any version)', handlers);
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
