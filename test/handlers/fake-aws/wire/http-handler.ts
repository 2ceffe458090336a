import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { decodeJson, encodeJsonError, encodeJsonResult } from './json-protocol';
import { decodeQuery, encodeQueryError, encodeQueryResult } from './query-protocol';
import type { FakeServiceError, ServiceName } from '../aws-errors';

/** One API call as the wire carries it, decoded. */
export interface WireCall {
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The SDK's id of the logical call (amz-sdk-invocation-id): every retry attempt carries the same. */
  readonly sdkCallId: string;
  /** Which attempt of that call this is (amz-sdk-request: attempt=N), from 1. */
  readonly attempt: number;
}

/** What the fake answers: the operation's output, or the service's error. */
export type WireAnswer = { readonly kind: 'ok'; readonly output: unknown } | { readonly kind: 'error'; readonly error: FakeServiceError };

/**
 * Serves one decoded call. May reject (the request timed out: no response reached the
 * client) or never settle (the Lambda invocation died during the call).
 */
export type Exchange = (call: WireCall) => Promise<WireAnswer>;

interface ServiceSpec {
  readonly name: ServiceName;
  readonly protocol: 'query' | 'json1.0' | 'json1.1' | 'rest-json';
  /** Query protocol: the XML namespace of the API version. */
  readonly xmlns?: string;
  /** JSON protocol that keeps the Query protocol's error codes (x-amzn-query-error). */
  readonly queryCompatible?: boolean;
}

// By the first label of each service's regional endpoint host.
const SERVICES: Record<string, ServiceSpec> = {
  elasticloadbalancing: { name: 'elbv2', protocol: 'query', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  autoscaling: { name: 'autoscaling', protocol: 'query', xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/' },
  monitoring: { name: 'cloudwatch', protocol: 'json1.0', queryCompatible: true },
  events: { name: 'events', protocol: 'json1.1' },
  dynamodb: { name: 'dynamodb', protocol: 'json1.0' },
  lambda: { name: 'lambda', protocol: 'rest-json' },
};

let requestSequence = 0;

/**
 * The fake's SDK request handler (what `requestHandler` in a client's configuration names):
 * the real clients serialise each request, sign it, send it here, and parse what comes back,
 * with their own retry middleware around it. This decodes the wire request, lets `exchange`
 * serve it, and encodes the answer as the service would: status, headers and body.
 */
export class FakeHttpHandler {
  public constructor(private readonly exchange: Exchange) {}

  public async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    const service = SERVICES[request.hostname.split('.')[0]];
    if (!service) {
      throw new Error(`fake: no service answers at ${request.hostname}`);
    }
    const call = decode(service, request);
    const answer = await this.exchange(call);
    return { response: encode(service, call, answer) };
  }

  /** The SDK calls these on a handler it did not create; the fake has nothing to configure or close. */
  public updateHttpClientConfig(): void {}

  public httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  public destroy(): void {}
}

function decode(service: ServiceSpec, request: HttpRequest): WireCall {
  const sdkCallId = request.headers['amz-sdk-invocation-id'] ?? '';
  const attempt = Number(/attempt=(\d+)/.exec(request.headers['amz-sdk-request'] ?? '')?.[1] ?? 1);
  if (service.protocol === 'rest-json') {
    return { service: service.name, ...decodeLambdaInvoke(request), sdkCallId, attempt };
  }
  if (service.protocol === 'query') {
    const body = bodyText(request);
    const { action, input } = decodeQuery(body);
    return { service: service.name, operation: action, input, sdkCallId, attempt };
  }
  const { operation, input } = decodeJson(request.headers['x-amz-target'], request.body);
  return { service: service.name, operation, input, sdkCallId, attempt };
}

function bodyText(request: HttpRequest): string {
  return typeof request.body === 'string' ? request.body : request.body ? new TextDecoder().decode(request.body as Uint8Array) : '';
}

/**
 * Lambda's Invoke (REST-JSON): POST /2015-03-31/functions/{FunctionName}/invocations, the
 * invocation type in X-Amz-Invocation-Type, the payload as the body, both ways.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
function decodeLambdaInvoke(request: HttpRequest): { operation: string; input: Record<string, unknown> } {
  const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.path);
  if (!match) {
    throw new Error(`fake: lambda serves Invoke only, not ${request.method} ${request.path}`);
  }
  const header = (name: string) => Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return {
    operation: 'Invoke',
    input: { FunctionName: decodeURIComponent(match[1]), InvocationType: header('x-amz-invocation-type'), Payload: bodyText(request) },
  };
}

function encodeLambdaInvoke(answer: WireAnswer, headers: Record<string, string>): HttpResponse {
  if (answer.kind === 'error') {
    return response(answer.error.status, { ...headers, 'content-type': 'application/json', 'x-amzn-errortype': answer.error.code },
      JSON.stringify({ Type: answer.error.status >= 500 ? 'Service' : 'User', message: answer.error.message }));
  }
  const output = answer.output as { StatusCode: number; FunctionError?: string; ExecutedVersion?: string; Payload: string };
  return response(output.StatusCode, {
    ...headers,
    'content-type': 'application/json',
    ...(output.FunctionError ? { 'x-amz-function-error': output.FunctionError } : {}),
    ...(output.ExecutedVersion ? { 'x-amz-executed-version': output.ExecutedVersion } : {}),
  }, output.Payload);
}

function encode(service: ServiceSpec, call: WireCall, answer: WireAnswer): HttpResponse {
  const requestId = `fake-${(++requestSequence).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  if (service.protocol === 'rest-json') {
    return encodeLambdaInvoke(answer, headers);
  }
  if (service.protocol === 'query') {
    headers['content-type'] = 'text/xml';
    const body = answer.kind === 'ok'
      ? encodeQueryResult(call.operation, service.xmlns!, answer.output, requestId)
      : encodeQueryError(service.xmlns!, answer.error.code, answer.error.message, answer.error.status, requestId);
    return response(answer.kind === 'ok' ? 200 : answer.error.status, headers, body);
  }
  headers['content-type'] = `application/x-amz-json-${service.protocol === 'json1.0' ? '1.0' : '1.1'}`;
  if (answer.kind === 'ok') {
    return response(200, headers, encodeJsonResult(answer.output));
  }
  const error = encodeJsonError(answer.error.code, answer.error.message, answer.error.status, service.queryCompatible === true, answer.error.extra);
  return response(answer.error.status, { ...headers, ...error.headers }, error.body);
}

function response(statusCode: number, headers: Record<string, string>, body: string): HttpResponse {
  return new HttpResponse({ statusCode, headers, body: Buffer.from(body) });
}
