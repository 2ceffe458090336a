import { Duration, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { validateCapacity } from './capacity';
import { validateGenerationAlarms } from './generation-alarms';
import { ResolvedHealthCheck, resolveHealthCheck } from './health-check';
import { ImmutableDeploymentProps } from './immutable-deployment-props';
import { checkVerification } from './pre-traffic-verification';
import { RELEASE_DEADLINE_SECONDS, checkReleaseTiming } from './release-timing';
import { checkRuleConditions } from './rule-condition-limits';
import { validateScaling } from './scaling';
import { TrafficShift } from './traffic-shift';
import { invalidProp } from '../private/errors';
import { MAX_DEREGISTRATION_SECONDS, MAX_STICKINESS_SECONDS, PRIORITY_RANGE } from '../release-contract/limits';

/** An ImmutableDeployment's settings with their defaults, once checked. */
export type DeploymentSettings = {
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
  /** The verify hook's timeout; 0 without a hook. */
  readonly verifySeconds: number;
};

const DEFAULTS = {
  port: 80,
  bakeSeconds: 300,
  healthTimeoutSeconds: 600,
  drainSeconds: 60,
  hopLimit: 2,
  ownListenerPriority: PRIORITY_RANGE.max,
};

/** The props that configure the deployment's own load balancer, refused with a listener of yours. */
const OWN_LOAD_BALANCER_PROPS = ['internetFacing', 'loadBalancerSubnets', 'certificates', 'listenerProtocol', 'listenerPort', 'sslPolicy', 'accessLogs'] as const;

/**
 * Checks the props an ImmutableDeployment was given (failing synth with the construct path,
 * the prop, the value and the fix) and resolves their defaults.
 */
export function resolveSettings(scope: IConstruct, props: ImmutableDeploymentProps): DeploymentSettings {
  if (props.keyName !== undefined) {
    invalidProp(scope, 'keyName', props.keyName, 'an ImmutableDeployment opens no SSH: a key pair is a long-lived credential on every instance and needs port 22 open',
      'Remove keyName and connect with SSM Session Manager (aws ssm start-session --target <instance-id>); the default instance role allows it');
  }
  validateCapacity(scope, props.capacity);
  validateLoadBalancerChoice(scope, props);
  checkRuleConditions(scope, props.conditions);
  if (props.scaling) {
    validateScaling(scope, props.scaling);
  }
  validateGenerationAlarms(scope, props.generationAlarms ?? {});
  const trafficShift = props.trafficShift ?? TrafficShift.allAtOnce();
  trafficShift._validate(scope, 'trafficShift');
  const healthCheck = resolveHealthCheck(scope, props.healthCheck);
  const settings: DeploymentSettings = {
    port: checkPort(scope, 'port', props.port ?? DEFAULTS.port),
    protocol: props.protocol ?? elbv2.ApplicationProtocol.HTTP,
    healthCheck,
    trafficShift,
    bakeSeconds: seconds(scope, 'bakeTime', props.bakeTime, DEFAULTS.bakeSeconds, 0, RELEASE_DEADLINE_SECONDS),
    healthTimeoutSeconds: seconds(scope, 'healthTimeout', props.healthTimeout, DEFAULTS.healthTimeoutSeconds, 1, RELEASE_DEADLINE_SECONDS),
    drainSeconds: seconds(scope, 'deregistrationDelay', props.deregistrationDelay, DEFAULTS.drainSeconds, 0, MAX_DEREGISTRATION_SECONDS),
    stickinessSeconds: props.stickiness === undefined ? 0 : seconds(scope, 'stickiness', props.stickiness, 0, 1, MAX_STICKINESS_SECONDS),
    hopLimit: props.instanceMetadataHopLimit ?? DEFAULTS.hopLimit,
    priority: props.priority ?? DEFAULTS.ownListenerPriority,
    verifySeconds: checkVerification(scope, props, RELEASE_DEADLINE_SECONDS),
  };
  if (!Number.isInteger(settings.hopLimit) || settings.hopLimit < 1 || settings.hopLimit > 64) {
    invalidProp(scope, 'instanceMetadataHopLimit', settings.hopLimit, 'instance metadata takes a hop limit from 1 to 64', 'Give 1 (instance only) or 2 (containers too)');
  }
  const checksToHealthy = healthCheck.healthyThresholdCount * healthCheck.intervalSeconds;
  if (settings.healthTimeoutSeconds <= checksToHealthy) {
    invalidProp(scope, 'healthTimeout', `${settings.healthTimeoutSeconds} s`,
      `an instance needs at least healthCheck.healthyThresholdCount x healthCheck.interval = ${checksToHealthy} s of passed checks to become healthy, plus its boot time`,
      `Raise healthTimeout well above ${checksToHealthy} s (the default is ${DEFAULTS.healthTimeoutSeconds} s)`);
  }
  checkReleaseTiming(scope, {
    warmUpSeconds: settings.healthTimeoutSeconds,
    verifySeconds: settings.verifySeconds,
    shiftSeconds: trafficShift.totalDuration.toSeconds(),
    shiftDescription: describeShift(trafficShift),
    bakeSeconds: settings.bakeSeconds,
    drainSeconds: settings.drainSeconds,
  });
  return settings;
}

function validateLoadBalancerChoice(scope: IConstruct, props: ImmutableDeploymentProps): void {
  if (props.listener) {
    const ownOptions = OWN_LOAD_BALANCER_PROPS.filter(p => props[p] !== undefined);
    if (ownOptions.length > 0) {
      invalidProp(scope, ownOptions[0], props[ownOptions[0]], `it configures the deployment's own load balancer, and listener says to use yours (${props.listener.node.path})`,
        `Remove ${ownOptions.join(', ')} and configure your load balancer directly, or remove listener to let the deployment create one`);
    }
    if (props.priority === undefined) {
      invalidProp(scope, 'priority', undefined, 'a rule on a shared listener needs a priority that no other rule on it has',
        `Give priority a number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max} (1 is evaluated first)`);
    }
    return;
  }
  const certificates = props.certificates?.length ?? 0;
  const https = props.listenerProtocol === elbv2.ApplicationProtocol.HTTPS || (props.listenerProtocol === undefined && certificates > 0);
  if (https && certificates === 0) {
    invalidProp(scope, 'certificates', props.certificates, 'an HTTPS listener needs at least one certificate',
      'Give certificates (for example elbv2.ListenerCertificate.fromCertificateManager(cert)), or set listenerProtocol to HTTP');
  }
  if (!https && certificates > 0) {
    invalidProp(scope, 'certificates', `${props.certificates!.length} certificate(s)`, 'certificates are only used by an HTTPS listener and listenerProtocol is HTTP',
      'Set listenerProtocol to HTTPS (or leave it unset), or remove certificates');
  }
  if (props.sslPolicy !== undefined && !https) {
    invalidProp(scope, 'sslPolicy', props.sslPolicy, 'an SSL policy only applies to an HTTPS listener', 'Give certificates for an HTTPS listener, or remove sslPolicy');
  }
  if (props.listenerPort !== undefined) {
    checkPort(scope, 'listenerPort', props.listenerPort);
  }
}

function checkPort(scope: IConstruct, prop: string, port: number): number {
  if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    invalidProp(scope, prop, port, 'a port is a whole number from 1 to 65535', `Give ${prop} a valid port, such as 80 or 8080`);
  }
  return port;
}

function seconds(scope: IConstruct, prop: string, duration: Duration | undefined, fallback: number, min: number, max: number): number {
  if (duration === undefined) {
    return fallback;
  }
  if (duration.isUnresolved()) {
    invalidProp(scope, prop, duration.toString(), 'it is part of the release schedule, which is checked against the one-hour limit at synth time', 'Give a literal Duration');
  }
  const value = duration.toSeconds({ integral: false });
  if (!Number.isInteger(value) || value < min || value > max) {
    invalidProp(scope, prop, `${value} s`, `it must be a whole number of seconds from ${min} to ${max}`, `Give ${prop} a Duration from ${min} to ${max} seconds`);
  }
  return value;
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
