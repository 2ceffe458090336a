/**
 * AWS's JSON protocols (1.0: DynamoDB, CloudWatch; 1.1: EventBridge): the operation in
 * the X-Amz-Target header, a JSON body both ways, timestamps as epoch seconds, errors as
 * `{"__type": code, "message": …}`. CloudWatch is "Query compatible": it also sends the old
 * Query error code in the x-amzn-query-error header, which the SDK prefers.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 */

/** Members that are timestamps in the inputs the fake reads. */
const TIMESTAMPS = new Set(['Time', 'StartTime', 'EndTime']);

export interface JsonRequest {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** Decode a JSON request: the target header names the operation. */
export function decodeJson(target: string | undefined, body: unknown): JsonRequest {
  const operation = (target ?? '').split('.').pop() ?? '';
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : '';
  const parsed = text.length > 0 ? JSON.parse(text, (key, value: unknown) => (TIMESTAMPS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value)) as unknown : {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`fake: ${operation} request body is not a JSON object: ${text}`);
  }
  return { operation, input: parsed as Record<string, unknown> };
}

/** The JSON answer to a successful call. */
export function encodeJsonResult(output: unknown): string {
  return JSON.stringify(toWire(output));
}

// Timestamps go as epoch seconds; the SDK's $metadata is not part of the answer.
function toWire(value: unknown): unknown {
  if (isDate(value)) {
    return value.getTime() / 1000;
  }
  if (Array.isArray(value)) {
    return value.map(toWire);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([key, v]) => key !== '$metadata' && v !== undefined).map(([key, v]) => [key, toWire(v)]));
  }
  return value;
}

/** The JSON answer to a call that failed, and the headers that go with it. */
export function encodeJsonError(
  code: string,
  message: string,
  status: number,
  queryCompatible: boolean,
  extra: Record<string, unknown> = {},
): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify({ __type: code, message, ...(toWire(extra) as object) }),
    headers: queryCompatible ? { 'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}` } : {},
  };
}

// structuredClone makes Dates of the Node realm, which fail instanceof inside a Jest sandbox.
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}
