import { Annotations, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { listenerPort, onSameLoadBalancer } from './listener-url';
import { OwnLoadBalancer } from './own-load-balancer';
import { invalidProp } from '../private/errors';
import { DEFAULT_VERIFY_TIMEOUT_SECONDS, VERIFY_INVOCATION_SECONDS } from '../release-contract/verify-hook';

/**
 * A listener that forwards only to the generation being released, before any production
 * traffic reaches it: for your own checks, by hand or from the verify hook.
 */
export interface TestListenerOptions {
  /**
   * The test listener's port: the deployment adds a listener on its own load balancer there
   * (same protocol and certificates as the production listener). With `listener`, the port
   * that listener serves on, which `allowFrom` is let in on (checked, for a listener the app
   * defines).
   */
  readonly port: number;

  /**
   * Who may reach the test listener: the load balancer's security group lets only these
   * peers in on `port` (for example `ec2.Peer.ipv4('10.0.0.0/16')`, or the security group of
   * the verify hook's function). At least one.
   */
  readonly allowFrom: ec2.IPeer[];

  /**
   * Your own load balancer (`listener`) only: your test listener on it, where the deployment
   * adds a rule at `priority` with its conditions.
   *
   * @default - a listener on the deployment's own load balancer
   */
  readonly listener?: elbv2.IApplicationListener;
}

/** What the release resource needs to know about verification. */
export interface Verification {
  readonly testListener?: elbv2.IApplicationListener;
  readonly hook?: lambda.IFunction;
  readonly timeoutSeconds: number;
}

/** What the verification props are checked against. */
export interface VerificationInputs {
  readonly testListener?: TestListenerOptions;
  readonly verify?: lambda.IFunction;
  readonly verifyTimeout?: Duration;
  /** The listener of the user's own load balancer, if any. */
  readonly listener?: elbv2.IApplicationListener;
}

/**
 * Checks the verification props at the top of the construct (before anything is created).
 * Returns the verify timeout in seconds, 0 without a hook (a test listener alone takes no time).
 */
export function checkVerification(scope: IConstruct, inputs: VerificationInputs, maxSeconds: number): number {
  const test = inputs.testListener;
  if (test) {
    if (!Number.isInteger(test.port) || test.port < 1 || test.port > 65535) {
      invalidProp(scope, 'testListener.port', test.port, 'a port is a whole number from 1 to 65535', 'Give testListener.port a free port of the load balancer, such as 8443 or 9000');
    }
    if (test.allowFrom.length === 0) {
      invalidProp(scope, 'testListener.allowFrom', '[]', 'a test listener nobody may reach verifies nothing, and one open to all would expose an unverified generation',
        'Give testListener.allowFrom the peers that test, for example [ec2.Peer.ipv4(vpc.vpcCidrBlock)]');
    }
    if (inputs.listener && !test.listener) {
      invalidProp(scope, 'testListener.listener', undefined, `the deployment serves from your listener ${inputs.listener.node.path} and cannot add a listener to a load balancer it does not own`,
        'Give testListener.listener a test listener of your own on that load balancer (the deployment adds its rule there at priority)');
    }
    if (!inputs.listener && test.listener) {
      invalidProp(scope, 'testListener.listener', test.listener.node.path, 'the deployment creates its own load balancer, and adds its test listener there',
        'Remove testListener.listener, or give listener (your production listener) too');
    }
    if (inputs.listener && test.listener === inputs.listener) {
      invalidProp(scope, 'testListener.listener', test.listener.node.path, 'it is the production listener: its rule would send the unverified generation production traffic',
        'Give a listener on another port, reachable only from your testers');
    }
    // "Load balancers per target group: 1" (ALB quotas,
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
    // the test rule forwards to the generation's target group, which the production listener's
    // load balancer already uses, so on another load balancer the release would fail.
    if (inputs.listener && test.listener && onSameLoadBalancer(test.listener, inputs.listener) === false) {
      invalidProp(scope, 'testListener.listener', test.listener.node.path,
        `it is on another load balancer than the production listener ${inputs.listener.node.path}, and a target group serves one load balancer only`,
        'Give a test listener of the production listener\'s load balancer');
    }
    const served = test.listener ? listenerPort(test.listener) : undefined;
    if (served !== undefined && served !== test.port) {
      invalidProp(scope, 'testListener.port', test.port, `testListener.listener ${test.listener!.node.path} serves on port ${served}, and allowFrom is let in on testListener.port`,
        `Give testListener.port ${served}`);
    }
  }
  if (inputs.verifyTimeout !== undefined && !inputs.verify) {
    invalidProp(scope, 'verifyTimeout', inputs.verifyTimeout.toHumanString(), 'it bounds the verify hook, and no verify function is given', 'Give verify (a Lambda function), or remove verifyTimeout');
  }
  if (!inputs.verify) {
    return 0;
  }
  warnIfHookOutlivesItsWait(scope, inputs.verify);
  const timeout = inputs.verifyTimeout;
  if (timeout === undefined) {
    return DEFAULT_VERIFY_TIMEOUT_SECONDS;
  }
  if (timeout.isUnresolved()) {
    invalidProp(scope, 'verifyTimeout', timeout.toString(), 'it is part of the release schedule, which is checked against the one-hour limit at synth time', 'Give a literal Duration');
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < VERIFY_INVOCATION_SECONDS || seconds > maxSeconds) {
    invalidProp(scope, 'verifyTimeout', `${seconds} s`,
      `the controller waits up to ${VERIFY_INVOCATION_SECONDS} s for each answer of the hook and must end the release within ${maxSeconds} s`,
      `Give verifyTimeout a whole number of seconds from ${VERIFY_INVOCATION_SECONDS} to ${maxSeconds}`);
  }
  return seconds;
}

/** Id of the warning for a verify function that may run longer than the controller waits for it. */
export const SLOW_VERIFY_HOOK_WARNING = 'cdk-immutable-infra:verifyHookOutlivesWait';

function warnIfHookOutlivesItsWait(scope: IConstruct, hook: lambda.IFunction): void {
  const timeout = hook instanceof lambda.Function ? hook.timeout : undefined;
  if (timeout === undefined || timeout.isUnresolved() || timeout.toSeconds() <= VERIFY_INVOCATION_SECONDS) {
    return;
  }
  Annotations.of(scope).addWarningV2(SLOW_VERIFY_HOOK_WARNING,
    `verify: ${hook.node.path} may run ${timeout.toSeconds()} s, and the release controller waits ${VERIFY_INVOCATION_SECONDS} s for each answer `
    + '(a longer invocation counts as NOT_YET, and its answer is lost). '
    + `Give the function a timeout of ${VERIFY_INVOCATION_SECONDS} s or less, and answer NOT_YET while checks are still running`);
}

/**
 * The test listener: on the deployment's own load balancer, a listener on `port` (same
 * protocol and certificates as production; 503 for requests the rule does not match), or the
 * user's; either way the load balancer lets only `allowFrom` in on the port.
 */
export function createTestListener(
  scope: IConstruct,
  options: TestListenerOptions,
  own: OwnLoadBalancer | undefined,
  certificates?: elbv2.IListenerCertificate[],
): elbv2.IApplicationListener {
  let listener = options.listener;
  if (own) {
    const taken = own.loadBalancer.listeners.map(listenerPort);
    if (taken.includes(options.port)) {
      invalidProp(scope, 'testListener.port', options.port, `the load balancer's production listeners use ports ${taken.join(', ')}`, 'Give testListener.port another port, such as 8443 or 9000');
    }
    const production = own.listener.node.defaultChild as elbv2.CfnListener;
    const https = production.protocol === elbv2.ApplicationProtocol.HTTPS;
    listener = own.loadBalancer.addListener('TestListener', {
      port: options.port,
      protocol: https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: https ? certificates : undefined,
      sslPolicy: https ? production.sslPolicy as elbv2.SslPolicy : undefined,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(503, { contentType: 'text/plain', messageBody: 'No generation under test' }),
    });
  }
  for (const peer of options.allowFrom) {
    listener!.connections.allowFrom(peer, ec2.Port.tcp(options.port), 'Testers to the test listener');
  }
  return listener!;
}
