/**
 * AWS's Query protocol, as ELBv2 and Auto Scaling speak it: a form-encoded POST body
 * (`Action=CreateRule&Version=…&Conditions.member.1.Field=…`) in, an XML document out. Lists
 * are wrapped in `member` elements both ways; errors are an `ErrorResponse` document.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */

/** Members the fake's services read as numbers or booleans (the form carries only strings). */
const NUMBERS = new Set(['Priority', 'Weight', 'DurationSeconds', 'PageSize', 'DesiredCapacity', 'MinSize', 'MaxSize', 'MaxRecords', 'Order', 'Port']);
const BOOLEANS = new Set(['Enabled', 'HonorCooldown', 'ShouldDecrementDesiredCapacity', 'IncludeDeletedGroups']);

export interface QueryRequest {
  readonly action: string;
  readonly version: string;
  readonly input: Record<string, unknown>;
}

/** Decode a form body into the operation's input, lists as arrays. */
export function decodeQuery(body: string): QueryRequest {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  let action = '';
  let version = '';
  for (const [key, value] of params) {
    if (key === 'Action') {
      action = value;
    } else if (key === 'Version') {
      version = value;
    } else {
      assign(input, key.split('.'), value);
    }
  }
  return { action, version, input: compact(input) as Record<string, unknown> };
}

// `member.N` becomes index N-1 of an array; arrays are built sparse and compacted at the end.
function assign(target: Record<string, unknown>, path: readonly string[], value: string): void {
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (segment === 'member' && !last) {
      continue;
    }
    const key: string | number = Array.isArray(node) ? Number(segment) - 1 : segment;
    const nextIsList = path[i + 1] === 'member';
    if (last) {
      (node as Record<string | number, unknown>)[key] = coerce(segment, value);
      return;
    }
    const container = node as Record<string | number, unknown>;
    container[key] ??= nextIsList ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  }
}

function coerce(name: string, value: string): unknown {
  if (NUMBERS.has(name)) {
    return Number(value);
  }
  if (BOOLEANS.has(name)) {
    return value === 'true';
  }
  return value;
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((v) => v !== undefined).map(compact);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
}

/** The XML answer to a successful call. */
export function encodeQueryResult(action: string, xmlns: string, output: unknown, requestId: string): string {
  return `<${action}Response xmlns="${xmlns}"><${action}Result>${xmlMembers(output)}</${action}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** The XML answer to a call that failed. */
export function encodeQueryError(xmlns: string, code: string, message: string, status: number, requestId: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escape(code)}</Code>`
    + `<Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function xmlMembers(value: unknown): string {
  if (typeof value !== 'object' || value === null) {
    return '';
  }
  return Object.entries(value)
    .filter(([key, v]) => v !== undefined && key !== '$metadata')
    .map(([key, v]) => `<${key}>${xmlValue(v)}</${key}>`)
    .join('');
}

function xmlValue(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map((v) => `<member>${xmlValue(v)}</member>`).join('');
  }
  if (isDate(value)) {
    return value.toISOString();
  }
  if (typeof value === 'object' && value !== null) {
    return xmlMembers(value);
  }
  return escape(String(value));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// structuredClone makes Dates of the Node realm, which fail instanceof inside a Jest sandbox.
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}
