import { AutoScalingServiceException } from '@aws-sdk/client-auto-scaling';
import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import { SSMServiceException } from '@aws-sdk/client-ssm';

/** The services the fake implements, by the prefix their operations carry in fault rules and the call log. */
export type ServiceName = 'elbv2' | 'autoscaling' | 'cloudwatch' | 'ssm' | 'events';

let errorSequence = 0;

const EXCEPTION_CLASSES = {
  elbv2: ElasticLoadBalancingV2ServiceException,
  autoscaling: AutoScalingServiceException,
  cloudwatch: CloudWatchServiceException,
  ssm: SSMServiceException,
  events: EventBridgeServiceException,
} as const;

// The wire error codes each service uses for throttling (Query-protocol services say
// "Throttling", JSON-protocol ones "ThrottlingException").
const THROTTLING_CODES: Record<ServiceName, string> = {
  elbv2: 'Throttling',
  autoscaling: 'Throttling',
  cloudwatch: 'Throttling',
  ssm: 'ThrottlingException',
  events: 'ThrottlingException',
};

/**
 * An error shaped like the SDK's own: the service's ServiceException class, with name,
 * $fault and $metadata set the way a deserialised AWS error response sets them.
 */
export function serviceError(service: ServiceName, name: string, message: string, httpStatusCode = 400): Error {
  const ExceptionClass = EXCEPTION_CLASSES[service];
  return new ExceptionClass({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: `fake-request-${++errorSequence}`, attempts: 1, totalRetryDelay: 0 },
  });
}

/** "Rate exceeded", as each service phrases it. */
export function throttlingError(service: ServiceName): Error {
  return serviceError(service, THROTTLING_CODES[service], 'Rate exceeded', 400);
}

/** A 5xx from the service. */
export function serverError(service: ServiceName, status: 500 | 503 = 500): Error {
  return status === 503
    ? serviceError(service, 'ServiceUnavailable', 'Service is unavailable. Please try again later.', 503)
    : serviceError(service, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

/** What the SDK's HTTP handler throws when a request times out (no response, no $metadata). */
export function timeoutError(operation: string): Error {
  const error = new Error(`Connection timed out after 3000 ms (${operation})`);
  error.name = 'TimeoutError';
  return error;
}
