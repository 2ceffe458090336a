import { Annotations, CustomResource, Duration, Fn, Lazy, Names, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessLogOptions } from './access-logs';
import { warnIfStepOutrunsAlarm } from './alarm-window';
import { CapacityOptions, validateCapacity } from './capacity';
import { BoundDeploymentImage, DeploymentImage } from './deployment-image';
import { Generation } from './generation';
import { GenerationAlarmOptions, validateGenerationAlarms } from './generation-alarms';
import { computeGenerationKey } from './generation-key';
import { DeploymentHealthCheckOptions, ResolvedHealthCheck, resolveHealthCheck } from './health-check';
import { InsufficientDataPolicy } from './insufficient-data-policy';
import { PRIORITY_RANGE, claimPriority, clashingListenerRules } from './listener-priorities';
import { listenerUrl } from './listener-url';
import { CONTROLLER_TAG_KEY, ReleaseController } from './release-controller';
import { RELEASE_RESOURCE_TYPE, ReleaseProperties } from './release-properties';
import { RELEASE_DEADLINE_SECONDS, checkReleaseTiming } from './release-timing';
import { checkRuleConditions } from './rule-condition-limits';
import { DeploymentScalingOptions, validateScaling } from './scaling';
import { TrafficShift } from './traffic-shift';
import { OsFamily } from '../common/os-family';
import { DeploymentRootVolumeOptions, RootBlockDevice, rootBlockDevice } from '../common/root-volume';
import { invalidProp } from '../private/errors';
import { contentHash } from '../private/hash';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';
import { referenceIdentity, stableIdentity } from '../private/stable-identity';

/**
 * Properties of an ImmutableDeployment.
 */
export interface ImmutableDeploymentProps {
  /** The VPC of the instances (and of the load balancer the deployment creates). */
  readonly vpc: ec2.IVpc;

  /**
   * Where the instances run.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The image every instance launches from. A new image rolls out as a new generation. Use
   * `DeploymentImage.fromGoldenImage(image)` for a GoldenImage of this app.
   */
  readonly image: DeploymentImage;

  /** The instance type. A change rolls out as a new generation. */
  readonly instanceType: ec2.InstanceType;

  /** How many instances each generation runs. Changes apply in place to the live generation. */
  readonly capacity: CapacityOptions;

  /**
   * User data run at each instance's first boot. A change rolls out as a new generation.
   * Add every command before creating the deployment: it is hashed into the generation key.
   *
   * @default - an empty script for the image's operating system
   */
  readonly userData?: ec2.UserData;

  /**
   * The instances' role. Give it AmazonSSMManagedInstanceCore so Session Manager can reach
   * the instances. A different role rolls out as a new generation.
   *
   * @default - a new role with AmazonSSMManagedInstanceCore only
   */
  readonly role?: iam.IRole;

  /**
   * The instances' security group. The deployment lets the load balancer in on `port`.
   * A different group rolls out as a new generation.
   *
   * @default - a new group that allows all outbound traffic and only the load balancer in
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * Not supported: an EC2 key pair. Setting it fails synth; instances are reached through SSM
   * Session Manager, and no SSH port is open.
   *
   * @default - no key pair
   */
  readonly keyName?: string;

  /**
   * Give the instances public IP addresses (for public subnets without a NAT gateway).
   *
   * @default false
   */
  readonly associatePublicIpAddress?: boolean;

  /**
   * One-minute EC2 metrics for the instances (charged).
   *
   * @default false
   */
  readonly detailedMonitoring?: boolean;

  /**
   * The instances' root volume; always encrypted.
   *
   * @default - an encrypted gp3 volume of the AMI's size, with the account's default EBS key
   */
  readonly rootVolume?: DeploymentRootVolumeOptions;

  /**
   * How many network hops instance metadata (IMDSv2, always required) answers across. 2 lets
   * containers on the instance reach it through the Docker bridge, as on AWS's current AMIs;
   * 1 keeps it from them.
   *
   * @default 2
   */
  readonly instanceMetadataHopLimit?: number;

  /**
   * The port the instances serve on.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The protocol the instances serve (HTTPS means the load balancer talks TLS to them).
   *
   * @default elbv2.ApplicationProtocol.HTTP
   */
  readonly protocol?: elbv2.ApplicationProtocol;

  /**
   * How the load balancer checks the instances.
   *
   * @default - GET / every 10 seconds, healthy after 2 passes, 200 only, 5 minutes' grace
   */
  readonly healthCheck?: DeploymentHealthCheckOptions;

  /**
   * How long the old generation keeps serving requests in flight once it has no traffic.
   * Every release waits this long before it commits.
   *
   * @default Duration.seconds(60)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How traffic moves to a new generation.
   *
   * @default TrafficShift.allAtOnce()
   */
  readonly trafficShift?: TrafficShift;

  /**
   * How long a new generation serves all traffic under alarms before the release commits and
   * the old generation is drained. Five minutes lets the generation alarms (two one-minute
   * periods, plus CloudWatch's publishing delay) see the new generation under full load.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;

  /**
   * How long a new generation may take to have all its instances healthy before the release
   * is rolled back.
   *
   * @default Duration.minutes(10)
   */
  readonly healthTimeout?: Duration;

  /**
   * Keep each client on the generation it first reached for this long while both serve
   * (target group stickiness on the weighted rule).
   *
   * @default - no stickiness
   */
  readonly stickiness?: Duration;

  /**
   * Your alarms that roll a release back when they go into ALARM during the shift or the bake.
   * Alarms on the deployment's own metrics, which exist only once it does, are added with
   * `addRollbackAlarm()`.
   *
   * @default - none
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];

  /**
   * Alarms the deployment creates on each new generation's own target group (HTTP 5xx from
   * the instances, unhealthy instances), which also roll a release back.
   *
   * @default - both alarms, with the thresholds documented on GenerationAlarmOptions
   */
  readonly generationAlarms?: GenerationAlarmOptions;

  /**
   * How an alarm without data counts during a release.
   *
   * @default InsufficientDataPolicy.TREAT_AS_OK
   */
  readonly insufficientDataPolicy?: InsufficientDataPolicy;

  /**
   * Target tracking scaling, applied to every generation.
   *
   * @default - no scaling: each generation runs as many instances as the release gave it
   */
  readonly scaling?: DeploymentScalingOptions;

  /**
   * A literal mixed into the generation key. Required when the image's AMI id or the user data
   * is only known at deploy time; change it whenever they change. Changing it also forces a
   * new generation of an unchanged fleet.
   *
   * @default - the key is computed from the image and launch settings alone
   */
  readonly generationKey?: string;

  /**
   * Own load balancer only: make it internet-facing, in public subnets and open to the
   * internet on the listener's port. A website needs this; by default the load balancer is
   * internal and answers only clients inside the VPC.
   *
   * @default false
   */
  readonly internetFacing?: boolean;

  /**
   * Own load balancer only: its subnets.
   *
   * @default - public subnets when internet-facing, private ones otherwise
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;

  /**
   * Own load balancer only: certificates for an HTTPS listener. With them, the listener is
   * HTTPS (port 443) and port 80 redirects to it.
   *
   * @default - an HTTP listener
   */
  readonly certificates?: elbv2.IListenerCertificate[];

  /**
   * Own load balancer only: the listener's protocol.
   *
   * @default - HTTPS with certificates, HTTP without
   */
  readonly listenerProtocol?: elbv2.ApplicationProtocol;

  /**
   * Own load balancer only: the listener's port.
   *
   * @default - 443 for HTTPS, 80 for HTTP
   */
  readonly listenerPort?: number;

  /**
   * Own load balancer only: the HTTPS listener's security policy.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * Own load balancer only: access logs.
   *
   * @default - no access logs
   */
  readonly accessLogs?: AccessLogOptions;

  /**
   * A listener of your own Application Load Balancer to serve from, instead of a load
   * balancer of the deployment's own. The deployment adds one rule to it, at `priority`.
   * Let the listener's load balancer reach the instances if its security groups are not
   * known to CDK (`deployment.connections.allowFrom(...)`).
   *
   * @default - the deployment creates its own load balancer
   */
  readonly listener?: elbv2.IApplicationListener;

  /**
   * The priority of the deployment's rule on the listener (1 is evaluated first), unique on
   * the listener. Required with `listener`.
   *
   * @default 50000 on the deployment's own listener (evaluated after any rule you add to it)
   */
  readonly priority?: number;

  /**
   * The requests the deployment's rule matches.
   *
   * @default - every request (path pattern '/*')
   */
  readonly conditions?: elbv2.ListenerCondition[];
}

/** Settings with their defaults, once checked. */
type Settings = {
  readonly port: number;
  readonly protocol: elbv2.ApplicationProtocol;
  readonly healthCheck: ResolvedHealthCheck;
  readonly trafficShift: TrafficShift;
  readonly bakeSeconds: number;
  readonly healthTimeoutSeconds: number;
  readonly drainSeconds: number;
  readonly stickinessSeconds: number;
  readonly hopLimit: number;
  readonly priority: number;
};

/** The launch inputs every generation shares. */
type LaunchInputs = {
  readonly image: BoundDeploymentImage;
  readonly userData: ec2.UserData;
  readonly rootVolume: RootBlockDevice;
  readonly securityGroup: ec2.ISecurityGroup;
};

const DEFAULTS = {
  port: 80,
  bakeSeconds: 300,
  healthTimeoutSeconds: 600,
  drainSeconds: 60,
  hopLimit: 2,
  ownListenerPriority: PRIORITY_RANGE.max,
};

// Target group limits: deregistration delay 0-3600 s; stickiness 1 s to 7 days.
const MAX_DEREGISTRATION_SECONDS = 3600;
const MAX_STICKINESS_SECONDS = 604_800;

const OWN_LOAD_BALANCER_PROPS = ['internetFacing', 'loadBalancerSubnets', 'certificates', 'listenerProtocol', 'listenerPort', 'sslPolicy', 'accessLogs'] as const;

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
    const settings = this.validate(props);
    const launch = this.launchInputs(props);
    this.connections = new ec2.Connections({ securityGroups: [launch.securityGroup], defaultPort: ec2.Port.tcp(settings.port) });
    this.role = props.role ?? this.createRole();

    const own = props.listener ? undefined : this.createLoadBalancer(props);
    this.loadBalancer = own?.loadBalancer;
    this.listener = own?.listener ?? props.listener!;
    this.url = listenerUrl(this.listener);
    this.loadBalancerFullName = this.loadBalancer?.loadBalancerFullName ?? loadBalancerFullNameOf(this.listener.listenerArn);
    this.connections.allowFrom(this.listener, ec2.Port.tcp(settings.port), 'Load balancer to instances (traffic and health checks)');
    claimPriority(this, this.listener, settings.priority);

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

  private validate(props: ImmutableDeploymentProps): Settings {
    if (props.keyName !== undefined) {
      invalidProp(this, 'keyName', props.keyName, 'an ImmutableDeployment opens no SSH: a key pair is a long-lived credential on every instance and needs port 22 open',
        'Remove keyName and connect with SSM Session Manager (aws ssm start-session --target <instance-id>); the default instance role allows it');
    }
    validateCapacity(this, props.capacity);
    this.validateLoadBalancerChoice(props);
    checkRuleConditions(this, props.conditions);
    if (props.scaling) {
      validateScaling(this, props.scaling);
    }
    validateGenerationAlarms(this, props.generationAlarms ?? {});
    const trafficShift = props.trafficShift ?? TrafficShift.allAtOnce();
    trafficShift._validate(this, 'trafficShift');
    const healthCheck = resolveHealthCheck(this, props.healthCheck);
    const settings: Settings = {
      port: this.checkPort('port', props.port ?? DEFAULTS.port),
      protocol: props.protocol ?? elbv2.ApplicationProtocol.HTTP,
      healthCheck,
      trafficShift,
      bakeSeconds: this.seconds('bakeTime', props.bakeTime, DEFAULTS.bakeSeconds, 0, RELEASE_DEADLINE_SECONDS),
      healthTimeoutSeconds: this.seconds('healthTimeout', props.healthTimeout, DEFAULTS.healthTimeoutSeconds, 1, RELEASE_DEADLINE_SECONDS),
      drainSeconds: this.seconds('deregistrationDelay', props.deregistrationDelay, DEFAULTS.drainSeconds, 0, MAX_DEREGISTRATION_SECONDS),
      stickinessSeconds: props.stickiness === undefined ? 0 : this.seconds('stickiness', props.stickiness, 0, 1, MAX_STICKINESS_SECONDS),
      hopLimit: props.instanceMetadataHopLimit ?? DEFAULTS.hopLimit,
      priority: props.priority ?? DEFAULTS.ownListenerPriority,
    };
    if (!Number.isInteger(settings.hopLimit) || settings.hopLimit < 1 || settings.hopLimit > 64) {
      invalidProp(this, 'instanceMetadataHopLimit', settings.hopLimit, 'instance metadata takes a hop limit from 1 to 64', 'Give 1 (instance only) or 2 (containers too)');
    }
    const checksToHealthy = healthCheck.healthyThresholdCount * healthCheck.intervalSeconds;
    if (settings.healthTimeoutSeconds <= checksToHealthy) {
      invalidProp(this, 'healthTimeout', `${settings.healthTimeoutSeconds} s`,
        `an instance needs at least healthCheck.healthyThresholdCount x healthCheck.interval = ${checksToHealthy} s of passed checks to become healthy, plus its boot time`,
        `Raise healthTimeout well above ${checksToHealthy} s (the default is ${DEFAULTS.healthTimeoutSeconds} s)`);
    }
    checkReleaseTiming(this, {
      warmUpSeconds: settings.healthTimeoutSeconds,
      shiftSeconds: trafficShift.totalDuration.toSeconds(),
      shiftDescription: describeShift(trafficShift),
      bakeSeconds: settings.bakeSeconds,
      drainSeconds: settings.drainSeconds,
    });
    return settings;
  }

  private validateLoadBalancerChoice(props: ImmutableDeploymentProps): void {
    if (props.listener) {
      const ownOptions = OWN_LOAD_BALANCER_PROPS.filter(p => props[p] !== undefined);
      if (ownOptions.length > 0) {
        invalidProp(this, ownOptions[0], props[ownOptions[0]], `it configures the deployment's own load balancer, and listener says to use yours (${props.listener.node.path})`,
          `Remove ${ownOptions.join(', ')} and configure your load balancer directly, or remove listener to let the deployment create one`);
      }
      if (props.priority === undefined) {
        invalidProp(this, 'priority', undefined, 'a rule on a shared listener needs a priority that no other rule on it has',
          `Give priority a number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max} (1 is evaluated first)`);
      }
      return;
    }
    const certificates = props.certificates?.length ?? 0;
    const https = props.listenerProtocol === elbv2.ApplicationProtocol.HTTPS || (props.listenerProtocol === undefined && certificates > 0);
    if (https && certificates === 0) {
      invalidProp(this, 'certificates', props.certificates, 'an HTTPS listener needs at least one certificate',
        'Give certificates (for example elbv2.ListenerCertificate.fromCertificateManager(cert)), or set listenerProtocol to HTTP');
    }
    if (!https && certificates > 0) {
      invalidProp(this, 'certificates', `${props.certificates!.length} certificate(s)`, 'certificates are only used by an HTTPS listener and listenerProtocol is HTTP',
        'Set listenerProtocol to HTTPS (or leave it unset), or remove certificates');
    }
    if (props.sslPolicy !== undefined && !https) {
      invalidProp(this, 'sslPolicy', props.sslPolicy, 'an SSL policy only applies to an HTTPS listener', 'Give certificates for an HTTPS listener, or remove sslPolicy');
    }
    if (props.listenerPort !== undefined) {
      this.checkPort('listenerPort', props.listenerPort);
    }
  }

  private checkPort(prop: string, port: number): number {
    if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      invalidProp(this, prop, port, 'a port is a whole number from 1 to 65535', `Give ${prop} a valid port, such as 80 or 8080`);
    }
    return port;
  }

  private seconds(prop: string, duration: Duration | undefined, fallback: number, min: number, max: number): number {
    if (duration === undefined) {
      return fallback;
    }
    if (duration.isUnresolved()) {
      invalidProp(this, prop, duration.toString(), 'it is part of the release schedule, which is checked against the one-hour limit at synth time', 'Give a literal Duration');
    }
    const value = duration.toSeconds({ integral: false });
    if (!Number.isInteger(value) || value < min || value > max) {
      invalidProp(this, prop, `${value} s`, `it must be a whole number of seconds from ${min} to ${max}`, `Give ${prop} a Duration from ${min} to ${max} seconds`);
    }
    return value;
  }

  private checkArchitecture(image: BoundDeploymentImage, instanceType: ec2.InstanceType): void {
    if (image.architecture !== undefined && instanceType.architecture !== image.architecture) {
      invalidProp(this, 'instanceType', instanceType.toString(), `it is an ${instanceType.architecture} instance type and the image is ${image.architecture}`,
        `Choose an ${image.architecture} instance type, or an image for ${instanceType.architecture}`);
    }
  }

  /** What every generation launches, shared by all of them. */
  private launchInputs(props: ImmutableDeploymentProps): LaunchInputs {
    const image = props.image._bind(this);
    this.checkArchitecture(image, props.instanceType);
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

  private computeKey(props: ImmutableDeploymentProps, settings: Settings, launch: LaunchInputs): string {
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

  private createGeneration(props: ImmutableDeploymentProps, settings: Settings, launch: LaunchInputs, controller: ReleaseController): Generation {
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
    const ssmCore = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore');
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

  private createLoadBalancer(props: ImmutableDeploymentProps): { loadBalancer: elbv2.ApplicationLoadBalancer; listener: elbv2.ApplicationListener } {
    const internetFacing = props.internetFacing ?? false;
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: props.loadBalancerSubnets,
      dropInvalidHeaderFields: true,
    });
    if (props.accessLogs) {
      loadBalancer.logAccessLogs(props.accessLogs.bucket, props.accessLogs.prefix);
    }
    const https = (props.certificates?.length ?? 0) > 0;
    const protocol = https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
    const port = props.listenerPort ?? (https ? 443 : 80);
    // Until the first generation is healthy, and for requests the rule does not match, the
    // load balancer answers 503 itself.
    const listener = loadBalancer.addListener('Listener', {
      protocol,
      port,
      certificates: https ? props.certificates : undefined,
      sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: internetFacing,
      defaultAction: elbv2.ListenerAction.fixedResponse(503, { contentType: 'text/plain', messageBody: 'Service Unavailable' }),
    });
    const ports = [port];
    if (https && port !== 80) {
      loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: port,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
        open: internetFacing,
      });
      ports.push(80);
    }
    if (!internetFacing) {
      // An internal load balancer answers the VPC; more clients through loadBalancer.connections.
      for (const p of ports) {
        loadBalancer.connections.allowFrom(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(p), 'Clients in the VPC');
      }
      if (Token.isUnresolved(props.vpc.vpcCidrBlock)) {
        // The rule cannot read a CIDR known only at deploy time (it throws, which cdk-nag reports as a finding).
        suppressNagRule(loadBalancer.connections.securityGroups[0], 'AwsSolutions-EC23',
          'an internal load balancer open only to its own VPC\'s CIDR block, a value the rule cannot evaluate at synth');
      }
    }
    return { loadBalancer, listener };
  }

  /** The VPC and subnets, as identities (subnet ids where known at synth, else construct paths). */
  private networkIdentity(props: ImmutableDeploymentProps): unknown {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets).subnets;
    return {
      vpc: referenceIdentity(this, props.vpc.vpcId, props.vpc),
      subnets: subnets.map(s => referenceIdentity(this, s.subnetId, s)).sort(),
    };
  }

  private createRelease(
    props: ImmutableDeploymentProps,
    settings: Settings,
    controller: ReleaseController,
    securityGroup: ec2.ISecurityGroup,
  ): CustomResource {
    controller.grantListener(this.listener.listenerArn);
    const deploymentName = Names.uniqueId(this);
    const shift = settings.trafficShift;
    controller.grantAlarmRead(this.generation.alarms);
    // Rollback alarms may be added after construction (addRollbackAlarm): rendered at synth.
    const alarmNames = Lazy.list({ produce: () => [...this.rollbackAlarms, ...this.generation.alarms].map(a => a.alarmName) });
    const properties: ReleaseProperties = {
      DeploymentName: deploymentName,
      ListenerArn: this.listener.listenerArn,
      Priority: Tokenization.stringifyNumber(settings.priority),
      Conditions: Stack.of(this).toJsonString(ruleConditions(props.conditions)),
      Generation: {
        Key: this.generationKey,
        TargetGroupArn: this.targetGroup.targetGroupArn,
        AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName,
      },
      // Tokenization keeps a token number a token (String() would print its placeholder value).
      MinCapacity: Tokenization.stringifyNumber(props.capacity.min),
      MaxCapacity: Tokenization.stringifyNumber(props.capacity.max),
      ...(props.capacity.desired !== undefined ? { DesiredCapacity: Tokenization.stringifyNumber(props.capacity.desired) } : {}),
      Strategy: shift._strategy,
      StepPercent: String(shift.percent),
      StepIntervalSeconds: String(shift.interval.toSeconds({ integral: false })),
      BakeSeconds: String(settings.bakeSeconds),
      DrainSeconds: String(settings.drainSeconds),
      HealthTimeoutSeconds: String(settings.healthTimeoutSeconds),
      AlarmNames: alarmNames,
      InsufficientDataPolicy: props.insufficientDataPolicy ?? InsufficientDataPolicy.TREAT_AS_OK,
      DeadlineSeconds: String(RELEASE_DEADLINE_SECONDS),
      StickinessSeconds: String(settings.stickinessSeconds),
    };
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
    // A new generation scales only once it serves traffic (see DeploymentScalingOptions).
    for (const policy of this.generation.scalingPolicies) {
      policy.node.addDependency(release);
    }
    return release;
  }

  /** Checks that can only run once the whole app exists. */
  private addLateChecks(props: ImmutableDeploymentProps, settings: Settings, userData: ec2.UserData): void {
    const renderedAtCreation = contentHash(stableIdentity(this, userData.render()) ?? '');
    this.node.addValidation({
      validate: () => {
        const problems = clashingListenerRules(this.listener, settings.priority);
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

/** The time a shift spends at partial weights, for messages. */
function describeShift(shift: TrafficShift): string {
  const waits = shift.steps.length - 1;
  if (waits === 0) {
    return '0 s (all at once)';
  }
  const interval = shift.interval.toSeconds({ integral: false });
  return `${waits} x ${interval} s = ${waits * interval} s (${shift.steps.join(', ')} %)`;
}

/**
 * The rule conditions in the ELBv2 API's shape (RuleCondition: `Field`, `PathPatternConfig`
 * …), from CDK's CloudFormation-shaped ones (`field`, `pathPatternConfig` …).
 */
function ruleConditions(conditions: elbv2.ListenerCondition[] | undefined): unknown[] {
  const chosen = conditions && conditions.length > 0 ? conditions : [elbv2.ListenerCondition.pathPatterns(['/*'])];
  return chosen.map(c => pascalKeys(c.renderRawCondition()));
}

function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(pascalKeys);
  }
  if (value && typeof value === 'object' && !Token.isUnresolved(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalKeys(v)]));
  }
  return value;
}

/**
 * The load balancer's full name (`app/<name>/<id>`, the CloudWatch dimension) from a listener
 * ARN (`arn:…:listener/app/<name>/<id>/<listener-id>`).
 */
function loadBalancerFullNameOf(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    const parts = listenerArn.split('/');
    return parts.slice(1, 4).join('/');
  }
  const parts = Fn.split('/', listenerArn);
  return Fn.join('/', [Fn.select(1, parts), Fn.select(2, parts), Fn.select(3, parts)]);
}
