import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { VERIFY_INVOCATION_SECONDS } from '../../../release-contract/verify-hook';

/** The SDK clients the release controller uses. */
export interface AwsClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly autoScaling: AutoScalingClient;
  readonly cloudWatch: CloudWatchClient;
  readonly dynamoDb: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
  /** Invokes a deployment's verify hook. */
  readonly lambda: LambdaClient;
}

/** Which client a configuration override is for. */
export type AwsClientName = keyof AwsClients;

// Adaptive mode adds client-side rate limiting on top of retries, which is what a poller that
// shares its account's API rate with CloudFormation and the Auto Scaling service wants. A hung
// connection must not use up the invocation: it times out, and the poll counts that as "not yet".
const CLIENT_CONFIG = {
  retryMode: 'adaptive',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;

/**
 * The verify hook's client: one attempt, since a retried Invoke runs the user's hook again and
 * a throttled or unanswered one is asked again on the next poll anyway; and a request timeout
 * of the hook's own time to answer (a synchronous Invoke returns only when the function has).
 */
export const VERIFY_HOOK_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { ...CLIENT_CONFIG.requestHandler, requestTimeout: VERIFY_INVOCATION_SECONDS * 1000 },
} as const;

let clients: AwsClients | undefined;
let overrides: ((client: AwsClientName) => object) | undefined;

/** One set of clients per Lambda container, created on first use (connections are reused across polls). */
export function aws(): AwsClients {
  clients ??= {
    elbv2: new ElasticLoadBalancingV2Client(config('elbv2')),
    autoScaling: new AutoScalingClient(config('autoScaling')),
    cloudWatch: new CloudWatchClient(config('cloudWatch')),
    dynamoDb: new DynamoDBClient(config('dynamoDb')),
    eventBridge: new EventBridgeClient(config('eventBridge')),
    lambda: new LambdaClient({ ...CLIENT_CONFIG, ...VERIFY_HOOK_CLIENT_CONFIG, ...overrides?.('lambda') }),
  };
  return clients;
}

/**
 * Tests: build the clients with extra configuration (a request handler that answers on the
 * wire, a retry strategy whose back-off runs on the simulated clock); call with no argument
 * to go back to the Lambda's configuration. The clients are created anew on next use.
 */
export function configureAwsClients(override?: (client: AwsClientName) => object): void {
  overrides = override;
  clients = undefined;
}

function config(client: AwsClientName): object {
  return { ...CLIENT_CONFIG, ...overrides?.(client) };
}
