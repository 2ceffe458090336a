import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { AccessLogOptions } from './access-logs';
import { ImmutableDeploymentProps } from './immutable-deployment-props';
import { kmsEncryption } from '../private/bucket-encryption';
import { invalidProp } from '../private/errors';
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
  checkSubnets(scope, props);
  if (props.accessLogs) {
    checkAccessLogs(scope, props.accessLogs);
  }
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
 * "[Application Load Balancers] You must specify subnets from at least two Availability Zones"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
 * Checked where the selection's zones are known at synth.
 */
function checkSubnets(scope: Construct, props: ImmutableDeploymentProps): void {
  const zones = props.vpc.selectSubnets(props.loadBalancerSubnets).availabilityZones;
  if (zones.length === 0 || zones.some(zone => Token.isUnresolved(zone))) {
    return;
  }
  const distinct = new Set(zones);
  if (distinct.size < 2) {
    invalidProp(scope, props.loadBalancerSubnets ? 'loadBalancerSubnets' : 'vpc', [...distinct].join(', '),
      'an Application Load Balancer needs subnets in at least two Availability Zones, and these are in one',
      'Select subnets in two or more Availability Zones (a VPC with maxAzs of 2 or more)');
  }
}

/**
 * What Elastic Load Balancing takes for access logs
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 * "The bucket must be located in the same Region as the load balancer", "The only server-side
 * encryption option that's supported is Amazon S3-managed keys (SSE-S3)", and a prefix that
 * "must not include AWSLogs". aws-cdk-lib writes the bucket policy for `<prefix>/AWSLogs/...`,
 * so a prefix with a leading or trailing slash would name a path the load balancer never writes.
 */
function checkAccessLogs(scope: Construct, options: AccessLogOptions): void {
  const bucketRegion = options.bucket.env.region;
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(region) && bucketRegion !== region) {
    invalidProp(scope, 'accessLogs.bucket', options.bucket.node.path, `the bucket is in ${bucketRegion} and the load balancer in ${region}; access logs go to a bucket of the same region`,
      `Use a bucket in ${region}`);
  }
  const kms = kmsEncryption(options.bucket);
  if (kms) {
    invalidProp(scope, 'accessLogs.bucket', options.bucket.node.path, `the bucket is encrypted with ${kms}, and the load balancer writes access logs only to SSE-S3 buckets`,
      'Use a bucket with encryption: s3.BucketEncryption.S3_MANAGED (and no encryptionKey)');
  }
  const prefix = options.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix)) {
    const problem = prefix.includes('AWSLogs') ? 'Elastic Load Balancing adds AWSLogs/<account>/... itself, and a prefix may not include AWSLogs'
      : prefix.startsWith('/') || prefix.endsWith('/') ? 'the load balancer writes to <prefix>/AWSLogs/..., so a slash at either end makes an empty folder name'
        : undefined;
    if (problem) {
      invalidProp(scope, 'accessLogs.prefix', prefix, problem, 'Give a prefix such as \'web\' or \'logs/web\'');
    }
  }
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
