import { EventEmitter } from 'events';
// The module object itself (not an import namespace copy): the handler's own require('https') sees the spy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import https = require('https');
import * as path from 'path';
import { CfnOutput } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { resourceProperties } from './cfn-intrinsics';
import { FakeEcr } from './fake-ecr';
import { containerStack, onlyResource, resourcesOf } from '../support/stacks';

/*
 * The digest lookup as it runs at deploy: aws-cdk-lib's own AwsCustomResource handler (the code
 * its provider Lambda runs), given CloudFormation's event with the ResourceProperties of the
 * synthesised template, calling the real @aws-sdk/client-ecr (serialisation, SigV4 signing,
 * retries, parsing) against a fake ECR over HTTP, and answering CloudFormation by PUTting to the
 * ResponseURL, which this test intercepts.
 */
const HANDLER = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')),
  'custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js');

const REPOSITORY = 'bake-appimage';
const REGISTRY = '123456789012';
const uriOf = (tag: string) => `${REGISTRY}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}:${tag}`;
const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** What the handler PUT to CloudFormation's response URL. */
interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly RequestId: string;
  readonly Data?: Record<string, string>;
}

/** The synthesised lookup, and its ResourceProperties as CloudFormation would resolve them for a bake whose ImageUri is `uri`. */
function synthesisedLookup() {
  const { stack, image } = containerStack();
  new CfnOutput(stack, 'Digest', { value: image.imageDigest });
  const template = Template.fromStack(stack);
  const lookup = onlyResource(template, 'Custom::AWS');
  const imageId = onlyResource(template, 'AWS::ImageBuilder::Image').id;
  const repositoryId = onlyResource(template, 'AWS::ECR::Repository').id;
  const provider = resourcesOf(template, 'AWS::Lambda::Function')[0].id;
  return {
    logicalId: lookup.id,
    propertiesFor: (uri: string) => resourceProperties(lookup.props, {
      refs: { [repositoryId]: REPOSITORY, 'AWS::Partition': 'aws' },
      attributes: { [`${imageId}.ImageUri`]: uri, [`${provider}.Arn`]: 'arn:aws:lambda:eu-west-1:123456789012:function:provider' },
    }),
  };
}

describe('the digest lookup, run by aws-cdk-lib\'s AwsCustomResource handler against a fake ECR', () => {
  const ecr = new FakeEcr();
  const responses = new Map<string, CfnResponse>();
  const savedEnv = { ...process.env };
  let handler: (event: unknown, context: unknown) => Promise<void>;
  let lookup: ReturnType<typeof synthesisedLookup>;
  let requestCount = 0;

  beforeAll(async () => {
    await ecr.start();
    // The real client finds the fake through the SDK's service-specific endpoint variable
    // (serviceId "ECR"); credentials and region as the Lambda runtime gives them, from the environment.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_ECR: ecr.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKEDIGESTLOOKUP',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_SESSION_TOKEN: 'fake-session',
    });
    delete process.env.AWS_PROFILE;
    jest.spyOn(https, 'request').mockImplementation(((options: https.RequestOptions, callback: (res: unknown) => void) => {
      const request = new EventEmitter() as EventEmitter & { write: (b: string) => void; end: () => void };
      let body = '';
      request.write = chunk => { body += chunk; };
      request.end = () => {
        if (options.method !== 'PUT' || options.hostname !== 'cloudformation-custom-resource-response-euwest1.s3.amazonaws.com') {
          throw new Error(`unexpected HTTPS request ${options.method} ${options.hostname}${options.path}`);
        }
        const response = JSON.parse(body) as CfnResponse;
        responses.set(response.RequestId, response);
        callback({ statusCode: 200 });
      };
      return request;
    }) as unknown as typeof https.request);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- aws-cdk-lib's bundled handler, loaded as its Lambda does
    handler = require(HANDLER).handler;
    lookup = synthesisedLookup();
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = savedEnv;
    await ecr.stop();
  });

  /** Sends one CloudFormation request to the handler and returns its answer. */
  async function invoke(requestType: 'Create' | 'Update' | 'Delete', uri: string, extra: Record<string, unknown> = {}): Promise<CfnResponse> {
    const requestId = `request-${++requestCount}`;
    await handler({
      RequestType: requestType,
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
      ResponseURL: `https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/${requestId}?X-Amz-Signature=x`,
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Bake/guid',
      RequestId: requestId,
      LogicalResourceId: lookup.logicalId,
      ResourceType: 'Custom::AWS',
      ResourceProperties: lookup.propertiesFor(uri),
      ...extra,
    }, { logStreamName: '2026/12/05/[$LATEST]digest' });
    const response = responses.get(requestId);
    if (!response) {
      throw new Error(`the handler sent no response for ${requestId}`);
    }
    return response;
  }

  const callsSince = (start: number) => ecr.calls.slice(start);

  test('Create answers the digest of the tag in ImageUri, as Data and as the physical id, from one signed DescribeImages call', async () => {
    ecr.push(REGISTRY, REPOSITORY, { digest: digestOf(1), tags: ['1.0.4-1'] });
    ecr.push(REGISTRY, REPOSITORY, { digest: digestOf(2), tags: ['1.0.4-2'] });
    const start = ecr.calls.length;
    const response = await invoke('Create', uriOf('1.0.4-2'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: digestOf(2), Data: { 'imageDetails.0.imageDigest': digestOf(2) } });
    // Only the digest comes back (CloudFormation caps a custom resource's data at 4 KB).
    expect(Object.keys(response.Data!)).toEqual(['imageDetails.0.imageDigest']);
    const calls = callsSince(start);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      operation: 'DescribeImages',
      input: { repositoryName: REPOSITORY, registryId: REGISTRY, imageIds: [{ imageTag: '1.0.4-2' }] },
      attempt: 1,
    });
    expect(calls[0].credentialScope).toMatch(/^AKIDFAKEDIGESTLOOKUP\/\d{8}\/eu-west-1\/ecr\/aws4_request$/);
  });

  test('Update for a new bake answers the new digest, so the physical id changes with the image', async () => {
    ecr.push(REGISTRY, REPOSITORY, { digest: digestOf(3), tags: ['1.0.4-3'] });
    const response = await invoke('Update', uriOf('1.0.4-3'), {
      PhysicalResourceId: digestOf(2),
      OldResourceProperties: lookup.propertiesFor(uriOf('1.0.4-2')),
    });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: digestOf(3), Data: { 'imageDetails.0.imageDigest': digestOf(3) } });
  });

  test('Delete calls nothing and keeps the physical id (the image stays in its repository)', async () => {
    const start = ecr.calls.length;
    const response = await invoke('Delete', uriOf('1.0.4-3'), { PhysicalResourceId: digestOf(3) });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: digestOf(3) });
    expect(callsSince(start)).toEqual([]);
  });

  test('a throttled call is retried by the SDK, and the lookup succeeds', async () => {
    const start = ecr.calls.length;
    ecr.throttleNext();
    const response = await invoke('Create', uriOf('1.0.4-1'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: digestOf(1) });
    const calls = callsSince(start);
    expect(calls.map(c => c.attempt)).toEqual([1, 2]);
    expect(new Set(calls.map(c => c.invocationId)).size).toBe(1);
  });

  test('a tag the repository lacks fails the resource with ECR\'s reason, without retrying', async () => {
    const start = ecr.calls.length;
    const response = await invoke('Create', uriOf('9.9.9-1'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/imageTag:'9\.9\.9-1'\} does not exist within the repository with name 'bake-appimage' in the registry with id '123456789012'/);
    expect(response.PhysicalResourceId).toBe('2026/12/05/[$LATEST]digest');
    expect(callsSince(start)).toHaveLength(1);
  });

  test('a URI that carried a digest instead of a tag fails rather than answer another image', async () => {
    const response = await invoke('Create', `${REGISTRY}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}@${digestOf(1)}`);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/does not exist within the repository/);
  });

  test('concurrent lookups of different bakes each answer their own digest', async () => {
    const tags = ['2.0.0-1', '2.0.0-2', '2.0.0-3', '2.0.0-4'];
    tags.forEach((tag, i) => ecr.push(REGISTRY, REPOSITORY, { digest: digestOf(100 + i), tags: [tag] }));
    const start = ecr.calls.length;
    // No answer leaves the fake until all four calls are in: they really overlap.
    ecr.holdAnswersUntil(tags.length);
    const answers = await Promise.all(tags.map(tag => invoke('Create', uriOf(tag))));
    expect(answers.map(a => [a.Status, a.PhysicalResourceId, a.Data?.['imageDetails.0.imageDigest']]))
      .toEqual(tags.map((_, i) => ['SUCCESS', digestOf(100 + i), digestOf(100 + i)]));
    expect(callsSince(start).map(c => c.input.imageIds[0].imageTag).sort()).toEqual(tags);
  });
});
