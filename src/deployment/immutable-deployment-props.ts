import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AccessLogOptions } from './access-logs';
import { CapacityOptions } from './capacity';
import { GenerationAlarmOptions } from './generation-alarms';
import { DeploymentHealthCheckOptions } from './health-check';
import { InsufficientDataPolicy } from './insufficient-data-policy';
import { TestListenerOptions } from './pre-traffic-verification';
import { DeploymentScalingOptions } from './scaling';
import { TrafficShift } from './traffic-shift';
import { IDeploymentImage } from '../common/deployment-image-interface';
import { DeploymentRootVolumeOptions } from '../common/root-volume';

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
   * The image every instance launches from: a GoldenImage of this app, or
   * `DeploymentImage.fromAmiId()`, `fromSsmParameterLookup()` or `fromMachineImage()`.
   * A new image rolls out as a new generation.
   */
  readonly image: IDeploymentImage;

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

  /**
   * A test listener that forwards to the generation being released, reachable only from
   * `allowFrom`: from the moment the new generation is healthy until the release ends, and to
   * the live generation between releases. No production traffic reaches the new generation
   * before it has been on the test listener (and passed `verify`, if given).
   *
   * @default - no test listener
   */
  readonly testListener?: TestListenerOptions;

  /**
   * A Lambda function that verifies each new generation before any production traffic
   * reaches it (the first generation too). The release controller invokes it with the new
   * generation's target group, the test listener's URL and the deployment id, once per poll
   * (every 10 seconds), until it answers PASS (traffic starts moving) or FAIL, throws, or
   * `verifyTimeout` passes (the release is rolled back, with the hook's reason in
   * CloudFormation's event). See "Verify before traffic" in the README for the contract.
   *
   * @default - no verification hook
   */
  readonly verify?: lambda.IFunction;

  /**
   * How long the verify hook may take to answer PASS, from the new generation being healthy.
   * Counted in the release's one-hour budget.
   *
   * @default Duration.minutes(5)
   */
  readonly verifyTimeout?: Duration;
}
