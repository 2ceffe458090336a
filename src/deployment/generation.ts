import { Duration, Tags } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GenerationAlarmOptions, createGenerationAlarms } from './generation-alarms';
import { ResolvedHealthCheck, targetGroupHealthCheck } from './health-check';
import { DeploymentScalingOptions, createScalingPolicies } from './scaling';
import { DeploymentImageConfig } from '../common/deployment-image-interface';
import { OsFamily } from '../common/os-family';
import { suppressNagRule } from '../private/nag-suppressions';

/** Everything one generation is built from. */
export type GenerationProps = {
  readonly key: string;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly image: DeploymentImageConfig;
  readonly instanceType: ec2.InstanceType;
  readonly userData: ec2.UserData;
  readonly role: iam.IRole;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly associatePublicIpAddress?: boolean;
  readonly detailedMonitoring?: boolean;
  readonly rootVolume: ec2.BlockDevice;
  readonly metadataHopLimit: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly port: number;
  readonly protocol: elbv2.ApplicationProtocol;
  readonly healthCheck: ResolvedHealthCheck;
  readonly deregistrationDelay: Duration;
  /** Full name of the load balancer whose listener carries the release rule (metric dimensions). */
  readonly loadBalancerFullName: string;
  readonly alarms: GenerationAlarmOptions;
  readonly scaling?: DeploymentScalingOptions;
  /** Tag that scopes the release controller's write access to this group. */
  readonly controllerTag: { readonly key: string; readonly value: string };
};

/**
 * One generation of a deployment: a launch template, an Auto Scaling group and a target
 * group, created once and never changed in place. Its construct id carries the generation
 * key, so a new key makes CloudFormation create a whole new generation and delete the old
 * one only in its cleanup phase, once the release has succeeded.
 */
export class Generation extends Construct {
  public readonly key: string;
  public readonly launchTemplate: ec2.LaunchTemplate;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Alarms on this generation's own target group. */
  public readonly alarms: cloudwatch.Alarm[];
  /** Scaling policies; the deployment makes them wait for the release (see DeploymentScalingOptions). */
  public readonly scalingPolicies: autoscaling.TargetTrackingScalingPolicy[];
  /** CloudWatch dimensions of this generation's target group. */
  public readonly dimensions: { LoadBalancer: string; TargetGroup: string };

  constructor(scope: Construct, id: string, props: GenerationProps) {
    super(scope, id);
    this.key = props.key;
    this.launchTemplate = this.createLaunchTemplate(props);
    this.targetGroup = this.createTargetGroup(props);
    this.autoScalingGroup = this.createGroup(props);
    this.dimensions = { LoadBalancer: props.loadBalancerFullName, TargetGroup: this.targetGroup.targetGroupFullName };
    this.alarms = createGenerationAlarms(this, this.dimensions, props.alarms);
    this.scalingPolicies = props.scaling
      ? createScalingPolicies(this, this.autoScalingGroup, props.scaling, {
        loadBalancerFullName: props.loadBalancerFullName,
        targetGroupFullName: this.targetGroup.targetGroupFullName,
      }, Duration.seconds(props.healthCheck.gracePeriodSeconds))
      : [];
  }

  private createLaunchTemplate(props: GenerationProps): ec2.LaunchTemplate {
    const image = props.image;
    return new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: {
        getImage: () => ({
          imageId: image.imageId,
          osType: image.osFamily === OsFamily.WINDOWS ? ec2.OperatingSystemType.WINDOWS : ec2.OperatingSystemType.LINUX,
          userData: props.userData,
        }),
      },
      instanceType: props.instanceType,
      userData: props.userData,
      role: props.role,
      securityGroup: props.securityGroup,
      blockDevices: [props.rootVolume],
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpEndpoint: true,
      httpPutResponseHopLimit: props.metadataHopLimit,
      detailedMonitoring: props.detailedMonitoring,
      // Only rendered when asked for: a network interface block would replace securityGroupIds.
      ...(props.associatePublicIpAddress ? { associatePublicIpAddress: true } : {}),
    });
  }

  private createTargetGroup(props: GenerationProps): elbv2.ApplicationTargetGroup {
    return new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: props.port,
      protocol: props.protocol,
      targetType: elbv2.TargetType.INSTANCE,
      healthCheck: targetGroupHealthCheck(props.healthCheck,
        props.protocol === elbv2.ApplicationProtocol.HTTPS ? elbv2.Protocol.HTTPS : elbv2.Protocol.HTTP),
      deregistrationDelay: props.deregistrationDelay,
    });
  }

  private createGroup(props: GenerationProps): autoscaling.AutoScalingGroup {
    // No desiredCapacity: the release controller sizes each generation, and a template value
    // would reset the live fleet's size on every deployment.
    const group = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      launchTemplate: this.launchTemplate,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.seconds(props.healthCheck.gracePeriodSeconds),
      }),
    });
    // No update policy: CloudFormation never replaces or rolls instances of a generation, the
    // release controller swaps whole generations.
    (group.node.defaultChild as autoscaling.CfnAutoScalingGroup).cfnOptions.updatePolicy = undefined;
    group.attachToApplicationTargetGroup(this.targetGroup);
    suppressNagRule(group, 'AwsSolutions-AS3',
      'a generation is created, sized and deleted by the release controller, which reports each step as an EventBridge event; '
      + 'per-generation SNS scaling notifications would come and go with each release');
    Tags.of(group).add(props.controllerTag.key, props.controllerTag.value, { applyToLaunchedInstances: false });
    return group;
  }
}
