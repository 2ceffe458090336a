import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The SDK clients the release controller uses. */
export interface AwsClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly autoScaling: AutoScalingClient;
  readonly cloudWatch: CloudWatchClient;
  readonly ssm: SSMClient;
  readonly eventBridge: EventBridgeClient;
}

// Adaptive mode adds client-side rate limiting on top of retries, which is what a poller that
// shares its account's API rate with CloudFormation and the Auto Scaling service wants. A hung
// connection must not use up the invocation: it times out, and the poll counts that as "not yet".
const CLIENT_CONFIG = {
  retryMode: 'adaptive',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;

let clients: AwsClients | undefined;

/** One set of clients per Lambda container, created on first use (connections are reused across polls). */
export function aws(): AwsClients {
  clients ??= {
    elbv2: new ElasticLoadBalancingV2Client(CLIENT_CONFIG),
    autoScaling: new AutoScalingClient(CLIENT_CONFIG),
    cloudWatch: new CloudWatchClient(CLIENT_CONFIG),
    ssm: new SSMClient(CLIENT_CONFIG),
    eventBridge: new EventBridgeClient(CLIENT_CONFIG),
  };
  return clients;
}
