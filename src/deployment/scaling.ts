import { Duration, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/**
 * Target tracking for every generation's Auto Scaling group. A new generation gets its
 * policies only once its release has finished, so an idle new fleet is not scaled in before
 * it takes traffic; it starts as large as the live one.
 */
export interface DeploymentScalingOptions {
  /**
   * Keep the generation's average CPU utilization at this percentage.
   *
   * @default - no CPU policy
   */
  readonly targetCpuUtilizationPercent?: number;

  /**
   * Keep the requests per instance per minute (the load balancer's RequestCountPerTarget)
   * at this number.
   *
   * @default - no request count policy
   */
  readonly targetRequestsPerInstance?: number;

  /**
   * Do not scale in, only out.
   *
   * @default false
   */
  readonly disableScaleIn?: boolean;

  /**
   * How long a new instance takes before its metrics count.
   *
   * @default - the health check grace period
   */
  readonly instanceWarmup?: Duration;
}

/** The load balancer and target group a request count policy reads. */
export type RequestCountSource = {
  readonly loadBalancerFullName: string;
  readonly targetGroupFullName: string;
};

/** Checks the scaling options at synth; tokens are left alone. */
export function validateScaling(scope: IConstruct, scaling: DeploymentScalingOptions): void {
  const cpu = scaling.targetCpuUtilizationPercent;
  const requests = scaling.targetRequestsPerInstance;
  if (cpu === undefined && requests === undefined) {
    invalidProp(scope, 'scaling', scaling, 'it sets no target, so it would create no policy',
      'Set scaling.targetCpuUtilizationPercent and/or scaling.targetRequestsPerInstance, or leave scaling unset');
  }
  if (cpu !== undefined && !Token.isUnresolved(cpu) && !(cpu > 0 && cpu <= 100)) {
    invalidProp(scope, 'scaling.targetCpuUtilizationPercent', cpu, 'a CPU target is a percentage above 0 and at most 100', 'Give a value such as 50');
  }
  if (requests !== undefined && !Token.isUnresolved(requests) && !(requests > 0)) {
    invalidProp(scope, 'scaling.targetRequestsPerInstance', requests, 'a request count target must be above 0', 'Give the requests per instance per minute to aim for, such as 1000');
  }
}

/** Creates the target tracking policies of one generation. */
export function createScalingPolicies(
  scope: Construct,
  group: autoscaling.AutoScalingGroup,
  scaling: DeploymentScalingOptions,
  source: RequestCountSource,
  defaultWarmup: Duration,
): autoscaling.TargetTrackingScalingPolicy[] {
  const common = {
    autoScalingGroup: group,
    disableScaleIn: scaling.disableScaleIn,
    estimatedInstanceWarmup: scaling.instanceWarmup ?? defaultWarmup,
  };
  const policies: autoscaling.TargetTrackingScalingPolicy[] = [];
  if (scaling.targetCpuUtilizationPercent !== undefined) {
    policies.push(new autoscaling.TargetTrackingScalingPolicy(scope, 'ScalingCpu', {
      ...common,
      predefinedMetric: autoscaling.PredefinedMetric.ASG_AVERAGE_CPU_UTILIZATION,
      targetValue: scaling.targetCpuUtilizationPercent,
    }));
  }
  if (scaling.targetRequestsPerInstance !== undefined) {
    // The label is '<load balancer full name>/<target group full name>', what
    // AutoScalingGroup.scaleOnRequestCount() would build if the group were attached by a
    // CloudFormation listener rule (here the release controller's rule attaches it).
    policies.push(new autoscaling.TargetTrackingScalingPolicy(scope, 'ScalingRequests', {
      ...common,
      predefinedMetric: autoscaling.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET,
      resourceLabel: `${source.loadBalancerFullName}/${source.targetGroupFullName}`,
      targetValue: scaling.targetRequestsPerInstance,
    }));
  }
  return policies;
}
