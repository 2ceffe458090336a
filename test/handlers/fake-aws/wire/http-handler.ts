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
  readonly protocol: 'query' | 'json1.0' | 'json1.1';
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
  if (service.protocol === 'query') {
    const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
    const { action, input } = decodeQuery(body);
    return { service: service.name, operation: action, input, sdkCallId, attempt };
  }
  const { operation, input } = decodeJson(request.headers['x-amz-target'], request.body);
  return { service: service.name, operation, input, sdkCallId, attempt };
}

function encode(service: ServiceSpec, call: WireCall, answer: WireAnswer): HttpResponse {
  const requestId = `fake-${(++requestSequence).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
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
