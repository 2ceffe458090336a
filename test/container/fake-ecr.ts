import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * A small stateful fake of Amazon ECR's DescribeImages, served over real HTTP on the loopback
 * address so that an SDK client that builds its own configuration (aws-cdk-lib's
 * AwsCustomResource handler does) reaches it through AWS_ENDPOINT_URL_ECR, with its
 * serialisation, signing, retry and parsing middleware all in the path.
 *
 * The wire protocol is awsJson1_1: POST /, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`,
 * a JSON body both ways, errors as `{"__type": code, "message": …}` with a 4xx or 5xx status.
 * DescribeImages as the ECR API reference has it
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html): repositoryName,
 * optional registryId (the caller's registry when absent), imageIds by tag or digest; answers
 * `imageDetails`; a missing repository is RepositoryNotFoundException and an image id that
 * matches nothing ImageNotFoundException; ThrottlingException is ECR's common throttling error.
 */

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

/** The account the fake answers as when a call names no registry. */
export const CALLER_ACCOUNT = '123456789012';

export interface FakeImage {
  readonly digest: string;
  readonly tags: string[];
}

/** One request as it reached the fake. */
export interface EcrCall {
  readonly operation: string;
  readonly input: any;
  /** The SDK's id of the logical call: every retry attempt carries the same. */
  readonly invocationId: string;
  /** Which attempt of that call this is, from 1 (the SDK's amz-sdk-request header). */
  readonly attempt: number;
  /** The Authorization header's credential scope, e.g. `AKID/20261205/eu-west-1/ecr/aws4_request`. */
  readonly credentialScope: string;
}

interface EcrError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

export class FakeEcr {
  /** Every request served, in order of arrival. */
  public readonly calls: EcrCall[] = [];
  private readonly repositories = new Map<string, FakeImage[]>();
  private readonly faults: EcrError[] = [];
  private readonly held: Array<() => void> = [];
  private holdUntil = 0;
  private server?: http.Server;

  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_ECR). */
  public get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) {
      throw new Error('fake ECR: not started');
    }
    return `http://127.0.0.1:${address.port}`;
  }

  public async start(): Promise<void> {
    this.server = http.createServer((request, response) => this.serve(request, response));
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
  }

  public async stop(): Promise<void> {
    this.release();
    await new Promise<void>((resolve, reject) => this.server?.close(e => (e ? reject(e) : resolve())));
  }

  /** Puts an image (as Image Builder's push would) into a repository of a registry. */
  public push(registryId: string, repositoryName: string, image: FakeImage): void {
    const key = repositoryKey(registryId, repositoryName);
    this.repositories.set(key, [...(this.repositories.get(key) ?? []), image]);
  }

  /** The next request (whatever it is) is answered with ECR's throttling error. */
  public throttleNext(): void {
    this.faults.push({ code: 'ThrottlingException', message: 'Rate exceeded', status: 400 });
  }

  /**
   * Holds every answer until `count` requests are waiting, then answers them all: calls that
   * really overlap get through, calls made one after the other would stall (and the test's
   * timeout ends them). Released on stop().
   */
  public holdAnswersUntil(count: number): void {
    this.holdUntil = count;
  }

  private serve(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk as Buffer));
    request.on('end', () => {
      const answer = () => this.answer(request, Buffer.concat(chunks).toString('utf8'), response);
      if (this.holdUntil > 0) {
        this.held.push(answer);
        if (this.held.length >= this.holdUntil) {
          this.release();
        }
        return;
      }
      answer();
    });
  }

  private release(): void {
    this.holdUntil = 0;
    this.held.splice(0).forEach(answer => answer());
  }

  private answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : `unknown target '${target}'`;
    const input = body.length > 0 ? JSON.parse(body) : {};
    this.calls.push({
      operation,
      input,
      invocationId: String(request.headers['amz-sdk-invocation-id'] ?? ''),
      attempt: Number(/attempt=(\d+)/.exec(String(request.headers['amz-sdk-request'] ?? ''))?.[1] ?? 0),
      credentialScope: /Credential=([^,]+)/.exec(String(request.headers.authorization ?? ''))?.[1] ?? '',
    });
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fake-${this.calls.length}` });
      response.end(JSON.stringify(payload));
    };
    const fail = (error: EcrError) => send(error.status, { __type: error.code, message: error.message });

    const fault = this.faults.shift();
    if (fault) {
      return fail(fault);
    }
    if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return fail({ code: 'SerializationException', message: `expected a POST of application/x-amz-json-1.1, got ${request.method} ${request.headers['content-type']}`, status: 400 });
    }
    if (operation !== 'DescribeImages') {
      return fail({ code: 'UnknownOperationException', message: `fake ECR serves DescribeImages only, not ${operation}`, status: 400 });
    }
    const outcome = this.describeImages(input);
    return 'code' in outcome ? fail(outcome) : send(200, outcome);
  }

  private describeImages(input: any): EcrError | { imageDetails: unknown[] } {
    const registryId: string = input.registryId ?? CALLER_ACCOUNT;
    const repositoryName: string = input.repositoryName;
    const images = this.repositories.get(repositoryKey(registryId, repositoryName));
    if (!images) {
      return {
        code: 'RepositoryNotFoundException',
        message: `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`,
        status: 400,
      };
    }
    const wanted: Array<{ imageTag?: string; imageDigest?: string }> = input.imageIds ?? images.map(i => ({ imageDigest: i.digest }));
    const found: FakeImage[] = [];
    for (const id of wanted) {
      const image = images.find(i => (id.imageDigest === undefined || i.digest === id.imageDigest)
        && (id.imageTag === undefined || i.tags.includes(id.imageTag)));
      if (!image) {
        return {
          code: 'ImageNotFoundException',
          message: `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository `
            + `with name '${repositoryName}' in the registry with id '${registryId}'`,
          status: 400,
        };
      }
      found.push(image);
    }
    return {
      imageDetails: found.map(image => ({
        registryId,
        repositoryName,
        imageDigest: image.digest,
        imageTags: image.tags,
        imageSizeInBytes: 31_457_280,
        imagePushedAt: 1_796_000_000,
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      })),
    };
  }
}

function repositoryKey(registryId: string, repositoryName: string): string {
  return `${registryId}/${repositoryName}`;
}
