/** The services the fake implements, by the prefix their operations carry in fault rules and the call log. */
export type ServiceName = 'elbv2' | 'autoscaling' | 'cloudwatch' | 'events' | 'dynamodb' | 'lambda';

/**
 * An error a service answers with, as it goes on the wire: the error code the service sends
 * (the SDK turns it into the exception's name: ELBv2's "PriorityInUse" becomes
 * PriorityInUseException, CloudWatch's "InternalServiceError" InternalServiceFault), the HTTP
 * status and the message. Thrown by the fake's services, encoded by the wire layer.
 */
export class FakeServiceError extends Error {
  /** Members of the error shape beyond the message (DynamoDB's ConditionalCheckFailedException carries Item). */
  public extra?: Record<string, unknown>;

  public constructor(readonly service: ServiceName, readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/** A service's error answer (4xx unless `status` says otherwise). */
export function serviceError(service: ServiceName, code: string, message: string, status = 400): FakeServiceError {
  return new FakeServiceError(service, code, message, status);
}

// Throttling codes on the wire: the Query-protocol services (and CloudWatch, whose JSON protocol
// keeps the Query codes) say "Throttling"; EventBridge "ThrottlingException" (its model's
// ThrottlingException); DynamoDB's data plane answers a table or partition over its
// throughput with ProvisionedThroughputExceededException (its API reference, "Common errors"
// and the operations' Errors sections).
const THROTTLING_CODES: Record<ServiceName, string> = {
  elbv2: 'Throttling',
  autoscaling: 'Throttling',
  cloudwatch: 'Throttling',
  events: 'ThrottlingException',
  dynamodb: 'ProvisionedThroughputExceededException',
  // Lambda: TooManyRequestsException, HTTP 429 (API_Invoke.html, Errors).
  lambda: 'TooManyRequestsException',
};

// Each service's own name for "internal error" (HTTP 500): ELBv2 and Auto Scaling model none
// and answer with the common error InternalFailure; CloudWatch models InternalServiceFault
// (wire code InternalServiceError); DynamoDB models InternalServerError; EventBridge
// InternalException. 503 is the common ServiceUnavailable everywhere.
const INTERNAL_ERROR_CODES: Record<ServiceName, string> = {
  elbv2: 'InternalFailure',
  autoscaling: 'InternalFailure',
  cloudwatch: 'InternalServiceError',
  events: 'InternalException',
  dynamodb: 'InternalServerError',
  lambda: 'ServiceException',
};

// IAM's refusal: AccessDenied on the Query protocol, AccessDeniedException on JSON ones.
const ACCESS_DENIED_CODES: Record<ServiceName, string> = {
  elbv2: 'AccessDenied',
  autoscaling: 'AccessDenied',
  cloudwatch: 'AccessDenied',
  events: 'AccessDeniedException',
  dynamodb: 'AccessDeniedException',
  lambda: 'AccessDeniedException',
};

/** "Rate exceeded", as each service phrases it. */
export function throttlingError(service: ServiceName): FakeServiceError {
  return serviceError(service, THROTTLING_CODES[service], 'Rate exceeded', service === 'lambda' ? 429 : 400);
}

/** A 5xx from the service, under the service's own error name. */
export function serverError(service: ServiceName, status: 500 | 503 = 500): FakeServiceError {
  return status === 503
    ? serviceError(service, 'ServiceUnavailable', 'Service is unavailable. Please try again later.', 503)
    : serviceError(service, INTERNAL_ERROR_CODES[service], 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

/** IAM refused the call (the role lacks the permission, or a condition failed). */
export function accessDenied(service: ServiceName, operation: string): FakeServiceError {
  return serviceError(service, ACCESS_DENIED_CODES[service],
    `User: arn:aws:sts::123456789012:assumed-role/ReleaseControllerRole/fn is not authorized to perform: ${service}:${operation} because no identity-based policy allows the action`, 403);
}

/**
 * What the SDK's Node.js HTTP handler throws when a request times out (no response, so no
 * $metadata): an Error named TimeoutError, which the SDK's retry strategy treats as transient.
 */
export function timeoutError(operation: string, ms = 10_000): Error {
  const error = new Error(`Request did not complete within ${ms} ms (${operation})`);
  error.name = 'TimeoutError';
  return error;
}
