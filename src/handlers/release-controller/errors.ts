/**
 * Error kinds the controller tells apart. Only a ReleaseFailure rolls a release back;
 * a transient AWS error means "try again on the next poll" and is never read as a health
 * verdict.
 */

/** The release cannot succeed: restore the old generation and fail the resource with this message. */
export class ReleaseFailure extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ReleaseFailure';
  }
}

/** The custom resource's properties are unusable; the message names each bad property. */
export class InvalidProperties extends Error {
  public constructor(readonly problems: readonly string[]) {
    super(`Invalid Custom::ImmutableRelease properties: ${problems.join('; ')}`);
    this.name = 'InvalidProperties';
  }
}

/** An isComplete poll for a request that a newer CloudFormation request has replaced. */
export class SupersededRequest extends Error {
  public constructor(requestId: string, currentId: string) {
    super(`request ${requestId} was superseded by request ${currentId}; this poll changed nothing`);
    this.name = 'SupersededRequest';
  }
}

/**
 * An isComplete poll of a request older than its release deadline that finds no state of its
 * own: CloudFormation stopped waiting for it long ago (a waiter outlives CloudFormation's
 * one-hour limit by a few polls), so it must not start anything.
 */
export class StaleRequest extends Error {
  public constructor(requestId: string, ageSeconds: number, deadlineSeconds: number) {
    super(`request ${requestId} began ${ageSeconds} s ago, past its deadline of ${deadlineSeconds} s, and holds no release state: CloudFormation no longer waits for it; this poll changed nothing`);
    this.name = 'StaleRequest';
  }
}

/**
 * Another poll of this deployment holds its lease, or wrote its state since this poll read it
 * (see aws/state-store.ts): this one changes nothing and waits for the next.
 */
export class LeaseHeld extends Error {
  public constructor(deployment: string, why: string) {
    super(`${why} (deployment ${deployment}); this poll changed nothing and waits for the next`);
    this.name = 'LeaseHeld';
  }
}

/** This poll's lease expired and another poll took it: it must stop writing at once, and not retry. */
export class LeaseLost extends Error {
  public constructor(deployment: string) {
    super(`this poll lost its lease on deployment ${deployment} to another poll; it stopped`);
    this.name = 'LeaseLost';
  }
}

/**
 * The state table refused a call for good (IAM, a deleted table, its KMS key), not "not now".
 * No poll can then take the deployment's lease, so none may write the listener rule: an
 * unfenced write could be a superseded request's (see aws/state-store.ts).
 */
export class StateStoreRefused extends Error {
  public constructor(table: string, operation: string, cause: unknown) {
    super(`the release state table ${table} refused ${operation}: ${describeError(cause)}`);
    this.name = 'StateStoreRefused';
  }
}

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'EC2ThrottledException',
  'ProvisionedThroughputExceededException',
]);

// Errors that say "not now" rather than "no": conflicts with an in-flight change, timeouts, 5xx.
const TRANSIENT_NAMES = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServiceFault',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'PriorRequestNotComplete',
  'PriorRequestNotCompleteException',
  'ResourceContentionFault',
  'ScalingActivityInProgressFault',
  'IdempotentCallInProgressFault',
  // SSM: another update of the same parameter is in flight.
  'TooManyUpdates',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

interface AwsErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function shape(error: unknown): AwsErrorShape {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape) : {};
}

/** The error's name (AWS SDK v3 puts the service's error code there). */
export function errorName(error: unknown): string {
  const name = shape(error).name;
  return typeof name === 'string' ? name : 'Error';
}

/** True when the error's name is one of `names`. */
export function hasErrorName(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}

/** "Name: message", for failure messages and logs. */
export function describeError(error: unknown): string {
  const message = shape(error).message;
  const text = typeof message === 'string' && message.length > 0 ? message : String(error);
  return `${errorName(error)}: ${text}`;
}

/** Throttling: the call was refused because of its rate, not its content. */
export function isThrottling(error: unknown): boolean {
  const s = shape(error);
  return THROTTLING_NAMES.has(errorName(error)) || s.$metadata?.httpStatusCode === 429;
}

/** Worth retrying later: throttling, 5xx, timeouts and dropped connections, and another poll at work. */
export function isTransient(error: unknown): boolean {
  if (error instanceof LeaseHeld || error instanceof LeaseLost) {
    return true;
  }
  if (error instanceof ReleaseFailure || error instanceof InvalidProperties || error instanceof SupersededRequest || error instanceof StaleRequest
    || error instanceof StateStoreRefused) {
    return false;
  }
  const s = shape(error);
  if (isThrottling(error) || TRANSIENT_NAMES.has(errorName(error))) {
    return true;
  }
  if (s.$retryable !== undefined && s.$retryable !== false) {
    return true;
  }
  if (s.$fault === 'server') {
    return true;
  }
  const status = s.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) {
    return true;
  }
  return typeof s.code === 'string' && NETWORK_CODES.has(s.code);
}
