import { Fn, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ImmutableDeploymentProps } from './immutable-deployment-props';
import { suppressNagRule } from '../private/nag-suppressions';

/** The load balancer a deployment creates when it is given no listener. */
export interface OwnLoadBalancer {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
}

/**
 * The deployment's own Application Load Balancer and its listener: internal unless
 * `internetFacing`, HTTPS with certificates (port 80 then redirects), dropping invalid header
 * fields, and answering 503 itself for requests no generation serves yet.
 */
export function createOwnLoadBalancer(scope: Construct, props: ImmutableDeploymentProps): OwnLoadBalancer {
  const internetFacing = props.internetFacing ?? false;
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
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

/**
 * The load balancer's full name (`app/<name>/<id>`, the CloudWatch dimension) from a listener
 * ARN (`arn:…:listener/app/<name>/<id>/<listener-id>`).
 */
export function loadBalancerFullNameOf(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    const parts = listenerArn.split('/');
    return parts.slice(1, 4).join('/');
  }
  const parts = Fn.split('/', listenerArn);
  return Fn.join('/', [Fn.select(1, parts), Fn.select(2, parts), Fn.select(3, parts)]);
}
