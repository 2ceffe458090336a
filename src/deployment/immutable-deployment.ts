import { Annotations, CustomResource, Duration, Lazy, Names } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { warnIfStepOutrunsAlarm } from './alarm-window';
import { bindDeploymentImage } from './deployment-image';
import { DeploymentSettings, resolveSettings } from './deployment-settings';
import { Generation } from './generation';
import { computeGenerationKey } from './generation-key';
import { ImmutableDeploymentProps } from './immutable-deployment-props';
import { ListenerClaim, claimPriority, clashingListenerRules } from './listener-priorities';
import { listenerUrl } from './listener-url';
import { createOwnLoadBalancer, loadBalancerFullNameOf } from './own-load-balancer';
import { Verification, createTestListener } from './pre-traffic-verification';
import { CONTROLLER_TAG_KEY, ReleaseController } from './release-controller';
import { releaseProperties } from './release-resource';
import { RootBlockDevice, rootBlockDevice } from './root-block-device';
import { TrafficShift } from './traffic-shift';
import { DeploymentImageConfig } from '../common/deployment-image-interface';
import { OsFamily } from '../common/os-family';
import { warnIfRootDeviceAssumed } from '../common/root-device';
import { awsManagedPolicy } from '../private/aws-managed-policy';
import { invalidProp } from '../private/errors';
import { contentHash } from '../private/hash';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';
import { referenceIdentity, stableIdentity } from '../private/stable-identity';
import { MAX_DEPLOYMENT_NAME_LENGTH } from '../release-contract/limits';
import { RELEASE_RESOURCE_TYPE } from '../release-contract/release-properties';

/** The launch inputs every generation shares. */
type LaunchInputs = {
  readonly image: DeploymentImageConfig;
  readonly userData: ec2.UserData;
  readonly rootVolume: RootBlockDevice;
  readonly securityGroup: ec2.ISecurityGroup;
};

/**
 * An immutable fleet behind an Application Load Balancer. Every change of what an instance
 * is (image, instance type, user data, role, security group, root volume, port) rolls out as a
 * new generation (launch template, Auto Scaling group and target group); the release
 * controller brings it up, waits until it is healthy, shifts traffic to it under alarms,
 * bakes, drains the old generation and commits, and puts everything back on the old
 * generation if any step fails. CloudFormation deletes the old generation once the stack
 * update has succeeded.
 */
export class ImmutableDeployment extends Construct implements ec2.IConnectable {
  /** The load balancer, when the deployment created its own. */
  public readonly loadBalancer?: elbv2.ApplicationLoadBalancer;

  /**
   * Where the deployment serves: `http://<load balancer DNS name>` (or `https://`, and the port
   * when it is not the scheme's default). An internal load balancer's name resolves inside the
   * VPC only. Undefined on an imported listener, whose load balancer the app does not know; a
   * rule with host or path conditions serves only the requests that match them.
   */
  public readonly url?: string;

  /** The listener that carries the deployment's rule. */
  public readonly listener: elbv2.IApplicationListener;

  /**
   * Its rule priority on the listener, which no other deployment of the app may take.
   * @internal
   */
  public readonly _listenerClaim?: ListenerClaim;

  /**
   * The test listener (see `testListener`): the one the deployment added to its own load
   * balancer, or yours.
   */
  public readonly testListener?: elbv2.IApplicationListener;

  /**
   * Where the test listener serves, like `url`; undefined without a test listener, or on an
   * imported one.
   */
  public readonly testUrl?: string;

  /**
   * Its rule priority on your test listener, which no other deployment of the app may take.
   * @internal
   */
  public readonly _testListenerClaim?: ListenerClaim;

  /** The instances' network access (their security group). */
  public readonly connections: ec2.Connections;

  /** The instances' role. */
  public readonly role: iam.IRole;

  /** The key of the generation this app defines, part of its resources' logical ids. */
  public readonly generationKey: string;

  /** The Auto Scaling group of the generation this app defines. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /** The target group of the generation this app defines. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;

  /** The launch template of the generation this app defines. */
  public readonly launchTemplate: ec2.LaunchTemplate;

  /** Alarms on this generation's own target group that roll its release back. */
  public readonly generationAlarms: cloudwatch.IAlarm[];

  /**
   * The key of the generation that serves traffic after the last release.
   *
   * @attribute
   */
  public readonly liveGeneration: string;

  /**
   * The ARN of the target group that serves traffic after the last release.
   *
   * @attribute
   */
  public readonly liveTargetGroupArn: string;

  /**
   * The key of the generation that was live before the last release (empty after the first).
   *
   * @attribute
   */
  public readonly previousGeneration: string;

  /**
   * The id of the last release (the CloudFormation request that ran it).
   *
   * @attribute
   */
  public readonly deploymentId: string;

  /**
   * How the last release ended: RELEASED, UNCHANGED or REVERTED.
   *
   * @attribute
   */
  public readonly outcome: string;

  private readonly generation: Generation;
  private readonly loadBalancerFullName: string;
  private readonly trafficShift: TrafficShift;
  private readonly rollbackAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: ImmutableDeploymentProps) {
    super(scope, id);
    const settings = resolveSettings(this, props);
    const launch = this.launchInputs(props);
    this.connections = new ec2.Connections({ securityGroups: [launch.securityGroup], defaultPort: ec2.Port.tcp(settings.port) });
    this.role = props.role ?? this.createRole();

    const own = props.listener ? undefined : createOwnLoadBalancer(this, props);
    this.loadBalancer = own?.loadBalancer;
    this.listener = own?.listener ?? props.listener!;
    this.url = listenerUrl(this.listener);
    this.loadBalancerFullName = this.loadBalancer?.loadBalancerFullName ?? loadBalancerFullNameOf(this.listener.listenerArn);
    this.connections.allowFrom(this.listener, ec2.Port.tcp(settings.port), 'Load balancer to instances (traffic and health checks)');
    this._listenerClaim = claimPriority(this, this.listener, settings.priority, this.otherListenerClaims());
    this.testListener = props.testListener ? createTestListener(this, props.testListener, own, props.certificates) : undefined;
    this.testUrl = this.testListener ? listenerUrl(this.testListener) : undefined;
    const yourTestListener = props.testListener?.listener;
    this._testListenerClaim = yourTestListener ? claimPriority(this, yourTestListener, settings.priority, this.otherListenerClaims()) : undefined;

    this.generationKey = this.computeKey(props, settings, launch);
    const controller = ReleaseController.of(this);
    this.generation = this.createGeneration(props, settings, launch, controller);
    this.autoScalingGroup = this.generation.autoScalingGroup;
    this.targetGroup = this.generation.targetGroup;
    this.launchTemplate = this.generation.launchTemplate;
    this.generationAlarms = this.generation.alarms;
    this.trafficShift = settings.trafficShift;
    this.generation.alarms.forEach((alarm, i) => warnIfStepOutrunsAlarm(this, this.trafficShift, alarm, `generationAlarms (${i === 0 ? 'first' : 'second'} alarm)`));
    (props.rollbackAlarms ?? []).forEach((alarm, i) => this.addAlarm(alarm, `rollbackAlarms[${i}]`));

    const release = this.createRelease(props, settings, controller, launch.securityGroup);
    this.liveGeneration = release.getAttString('LiveGeneration');
    this.liveTargetGroupArn = release.getAttString('LiveTargetGroupArn');
    this.previousGeneration = release.getAttString('PreviousGeneration');
    this.deploymentId = release.getAttString('DeploymentId');
    this.outcome = release.getAttString('Outcome');

    this.addLateChecks(props, settings, launch.userData);
  }

  /**
   * Adds an alarm that rolls a release back when it goes into ALARM during the shift or the
   * bake; for alarms on the deployment's own metrics (latency, 5xx from the load balancer).
   */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.addAlarm(alarm, `addRollbackAlarm(${alarm.node.id})`);
  }

  /** A metric of the live generation's target group, in the AWS/ApplicationELB namespace. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensionsMap: { ...this.generation.dimensions },
      ...props,
    }).attachTo(this.targetGroup);
  }

  /**
   * HTTP responses of one class from the live generation's instances.
   *
   * @default Sum over 5 minutes
   */
  public metricHttpCodeTarget(code: elbv2.HttpCodeTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(code, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Unhealthy instances in the live generation.
   *
   * @default Average over 5 minutes
   */
  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('UnHealthyHostCount', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Healthy instances in the live generation.
   *
   * @default Average over 5 minutes
   */
  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('HealthyHostCount', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Seconds from a request leaving the load balancer to the live generation's response.
   *
   * @default Average over 5 minutes
   */
  public metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('TargetResponseTime', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Requests routed to the live generation.
   *
   * @default Sum over 5 minutes
   */
  public metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RequestCount', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  private addAlarm(alarm: cloudwatch.IAlarm, prop: string): void {
    this.rollbackAlarms.push(alarm);
    ReleaseController.of(this).grantAlarmRead([alarm]);
    warnIfStepOutrunsAlarm(this, this.trafficShift, alarm, prop);
  }

  private checkArchitecture(image: DeploymentImageConfig, instanceType: ec2.InstanceType): void {
    if (image.architecture !== undefined && instanceType.architecture !== image.architecture) {
      invalidProp(this, 'instanceType', instanceType.toString(), `it is an ${instanceType.architecture} instance type and the image is ${image.architecture}`,
        `Choose an ${image.architecture} instance type, or an image for ${instanceType.architecture}`);
    }
  }

  /** What every generation launches, shared by all of them. */
  private launchInputs(props: ImmutableDeploymentProps): LaunchInputs {
    const image = bindDeploymentImage(this, props.image);
    this.checkArchitecture(image, props.instanceType);
    warnIfRootDeviceAssumed(this, `image: ${image.description}`, image, props.rootVolume?.deviceName,
      'Give its rootDeviceName (DeploymentImage.fromAmiId(id, { rootDeviceName: \'/dev/sda1\' })), or rootVolume.deviceName');
    if (image.keepsSsmAgent === false) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:imageWithoutSsmAgent',
        `image: ${image.description} is baked with keepSsmAgent false: unless its parent image ships the SSM agent, `
        + 'its instances cannot be reached through Session Manager, and a deployment opens no SSH. Keep the agent in the image (keepSsmAgent: true)');
    }
    return {
      image,
      userData: props.userData ?? (image.osFamily === OsFamily.WINDOWS ? ec2.UserData.forWindows() : ec2.UserData.forLinux()),
      rootVolume: rootBlockDevice(this, props.rootVolume ?? {}, image.rootDeviceName),
      securityGroup: props.securityGroup ?? new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
        vpc: props.vpc,
        description: `Instances of ${this.node.path}`,
        allowAllOutbound: true,
      }),
    };
  }

  private computeKey(props: ImmutableDeploymentProps, settings: DeploymentSettings, launch: LaunchInputs): string {
    return computeGenerationKey(this, {
      image: launch.image,
      instanceType: props.instanceType,
      userData: launch.userData,
      role: referenceIdentity(this, this.role.roleArn, this.role),
      securityGroups: [referenceIdentity(this, launch.securityGroup.securityGroupId, launch.securityGroup)],
      rootVolume: launch.rootVolume.identity,
      network: this.networkIdentity(props),
      launch: {
        associatePublicIpAddress: props.associatePublicIpAddress ?? false,
        detailedMonitoring: props.detailedMonitoring ?? false,
        hopLimit: settings.hopLimit,
      },
      targetGroup: { port: settings.port, protocol: settings.protocol, healthCheckPath: settings.healthCheck.path },
      generationKey: props.generationKey,
    });
  }

  private createGeneration(
    props: ImmutableDeploymentProps,
    settings: DeploymentSettings,
    launch: LaunchInputs,
    controller: ReleaseController,
  ): Generation {
    return new Generation(this, `Generation${this.generationKey}`, {
      key: this.generationKey,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      image: launch.image,
      instanceType: props.instanceType,
      userData: launch.userData,
      role: this.role,
      securityGroup: launch.securityGroup,
      associatePublicIpAddress: props.associatePublicIpAddress,
      detailedMonitoring: props.detailedMonitoring,
      rootVolume: launch.rootVolume.blockDevice,
      metadataHopLimit: settings.hopLimit,
      minCapacity: props.capacity.min,
      maxCapacity: props.capacity.max,
      port: settings.port,
      protocol: settings.protocol,
      healthCheck: settings.healthCheck,
      deregistrationDelay: Duration.seconds(settings.drainSeconds),
      loadBalancerFullName: this.loadBalancerFullName,
      alarms: props.generationAlarms ?? {},
      scaling: props.scaling,
      controllerTag: { key: CONTROLLER_TAG_KEY, value: controller.tagValue },
    });
  }

  private createRole(): iam.Role {
    const ssmCore = awsManagedPolicy('AmazonSSMManagedInstanceCore');
    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of ${this.node.path}: SSM Session Manager access only`,
      managedPolicies: [ssmCore],
    });
    suppressNagRule(role, 'AwsSolutions-IAM4',
      'Session Manager is the only way into the instances (no SSH); AmazonSSMManagedInstanceCore is the policy AWS maintains for its agent',
      [nagFinding(this, 'Policy', ssmCore.managedPolicyArn)]);
    return role;
  }

  /** The VPC and subnets, as identities (subnet ids where known at synth, else construct paths). */
  private networkIdentity(props: ImmutableDeploymentProps): unknown {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets).subnets;
    return {
      vpc: referenceIdentity(this, props.vpc.vpcId, props.vpc),
      subnets: subnets.map(s => referenceIdentity(this, s.subnetId, s)).sort(),
    };
  }

  /** The name the release controller keys this deployment's state and tags its rule by. */
  private deploymentName(): string {
    const name = Names.uniqueId(this);
    if (name.length > MAX_DEPLOYMENT_NAME_LENGTH) {
      invalidProp(this, 'id', this.node.path, `the deployment's name from its construct path (${name.length} characters) is part of a listener rule tag `
        + `value, which takes at most ${MAX_DEPLOYMENT_NAME_LENGTH} characters of it`, 'Give the deployment, or the constructs above it, shorter ids');
    }
    return name;
  }

  private createRelease(
    props: ImmutableDeploymentProps,
    settings: DeploymentSettings,
    controller: ReleaseController,
    securityGroup: ec2.ISecurityGroup,
  ): CustomResource {
    controller.grantListener(this.listener.listenerArn);
    controller.grantAlarmRead(this.generation.alarms);
    const verification: Verification = { testListener: this.testListener, hook: props.verify, timeoutSeconds: settings.verifySeconds };
    if (this.testListener) {
      controller.grantListener(this.testListener.listenerArn);
    }
    if (props.verify) {
      controller.grantVerifyHook(props.verify);
    }
    // Rollback alarms may be added after construction (addRollbackAlarm): rendered at synth.
    const alarmNames = Lazy.list({ produce: () => [...this.rollbackAlarms, ...this.generation.alarms].map(a => a.alarmName) });
    const properties = releaseProperties(this, {
      deploymentName: this.deploymentName(),
      listener: this.listener,
      settings,
      conditions: props.conditions,
      generation: {
        Key: this.generationKey,
        TargetGroupArn: this.targetGroup.targetGroupArn,
        AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName,
      },
      capacity: props.capacity,
      alarmNames,
      insufficientDataPolicy: props.insufficientDataPolicy,
      verification,
    });
    const release = new CustomResource(this, 'Release', {
      serviceToken: controller.serviceToken,
      resourceType: RELEASE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    // The load balancer must be able to reach the instances before the release waits for
    // them to be healthy; deleting the release (and its rule) first lets the listener and
    // target groups go afterwards.
    release.node.addDependency(securityGroup);
    if (this.loadBalancer) {
      release.node.addDependency(this.loadBalancer);
    }
    // The rule on the test listener is created after it, and deleted before it.
    if (this.testListener) {
      release.node.addDependency(this.testListener);
    }
    // A new generation scales only once it serves traffic (see DeploymentScalingOptions).
    for (const policy of this.generation.scalingPolicies) {
      policy.node.addDependency(release);
    }
    return release;
  }

  /**
   * The priorities the app's other deployments hold. Read from the construct tree, not kept
   * aside: two apps (or two tests) never share them. Only a listener the user gives can be
   * shared, so a deployment with its own load balancer asks for nothing.
   */
  private *otherListenerClaims(): Iterable<ListenerClaim> {
    if (this.loadBalancer) {
      return;
    }
    for (const construct of this.node.root.node.findAll()) {
      if (construct instanceof ImmutableDeployment) {
        yield* [construct._listenerClaim, construct._testListenerClaim].filter((c): c is ListenerClaim => c !== undefined);
      }
    }
  }

  /** Checks that can only run once the whole app exists. */
  private addLateChecks(props: ImmutableDeploymentProps, settings: DeploymentSettings, userData: ec2.UserData): void {
    const renderedAtCreation = contentHash(stableIdentity(this, userData.render()) ?? '');
    this.node.addValidation({
      validate: () => {
        const problems = clashingListenerRules(this.listener, settings.priority);
        if (props.testListener?.listener) {
          problems.push(...clashingListenerRules(props.testListener.listener, settings.priority));
        }
        if (props.generationKey === undefined && contentHash(stableIdentity(this, userData.render()) ?? '') !== renderedAtCreation) {
          problems.push('invalid userData (changed after the deployment was created): the generation key was computed from the user data '
            + 'when the deployment was created, so later commands would change the live launch template in place instead of rolling out a new generation. '
            + 'Add every user data command before creating the ImmutableDeployment');
        }
        return problems;
      },
    });
  }
}
