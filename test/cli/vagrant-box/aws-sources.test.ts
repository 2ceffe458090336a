import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { runVagrantBox, tarMember, tarMemberBytes, temporaryFolder, writeSparseVmdkHeader } from './run-vagrant-box';

/*
 * --from-ssm and --from-s3 through the real SDK clients (signing, retries, protocol parsing)
 * against a local HTTP server that speaks SSM's JSON protocol and S3's REST protocol, reached by
 * the SDK's endpoint override (AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_S3). No AWS account.
 */

interface FakeAws {
  /** Region to parameter name to value. */
  readonly parameters: Map<string, Map<string, string>>;
  /** Bucket/key to object. */
  readonly objects: Map<string, { body: Buffer; etag: string }>;
  /** Requests seen, as `METHOD target-or-path range`. */
  readonly requests: string[];
  /** Faults still to inject: a 500 on the next SSM call; a GET cut after this many bytes. */
  ssmErrorsLeft: number;
  cutGetAfter?: number;
  /** The next GET finds the object replaced since the HEAD before it (a new ETag). */
  replaceBeforeGet?: boolean;
}

let server: http.Server;
let endpoint: string;
const fake: FakeAws = { parameters: new Map(), objects: new Map(), requests: [], ssmErrorsLeft: 0 };

function handle(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): void {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    fake.requests.push(`${request.method} ${target}`);
    // SigV4's credential scope names the region the client signed for.
    const region = /Credential=[^/]+\/\d+\/([^/]+)\/ssm\//.exec(String(request.headers.authorization))?.[1] ?? '';
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    if (fake.ssmErrorsLeft > 0) {
      fake.ssmErrorsLeft--;
      response.writeHead(500).end(JSON.stringify({ __type: 'InternalServerError', message: 'injected' }));
      return;
    }
    const name = JSON.parse(body.toString()).Name;
    const value = fake.parameters.get(region)?.get(name);
    if (target !== 'AmazonSSM.GetParameter' || value === undefined) {
      response.writeHead(400).end(JSON.stringify({ __type: 'ParameterNotFound', message: `${name} in ${region}` }));
      return;
    }
    response.writeHead(200).end(JSON.stringify({ Parameter: { Name: name, Type: 'String', Value: value, Version: 1 } }));
    return;
  }
  const key = decodeURIComponent(new URL(request.url!, 'http://x').pathname.slice(1));
  const range = request.headers.range;
  fake.requests.push(`${request.method} ${key}${range ? ` ${range}` : ''}`);
  const object = fake.objects.get(key);
  if (!object) {
    response.writeHead(404, { 'content-type': 'application/xml' }).end(request.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
    return;
  }
  if (request.method === 'GET' && fake.replaceBeforeGet) {
    fake.replaceBeforeGet = false;
    object.etag = '"replaced"';
  }
  if (request.headers['if-match'] && request.headers['if-match'] !== object.etag) {
    response.writeHead(412, { 'content-type': 'application/xml' }).end('<Error><Code>PreconditionFailed</Code><Message>etag</Message></Error>');
    return;
  }
  const start = range ? Number(/^bytes=(\d+)-$/.exec(range)![1]) : 0;
  const slice = object.body.subarray(start);
  const headers: http.OutgoingHttpHeaders = { 'etag': object.etag, 'content-length': slice.length, 'content-type': 'application/octet-stream' };
  if (request.method === 'HEAD') {
    response.writeHead(200, { ...headers, 'content-length': object.body.length }).end();
    return;
  }
  if (range) {
    headers['content-range'] = `bytes ${start}-${object.body.length - 1}/${object.body.length}`;
  }
  response.writeHead(range ? 206 : 200, headers);
  if (fake.cutGetAfter !== undefined) {
    // The connection drops mid-body: the client has the headers and part of the disk.
    const cut = fake.cutGetAfter;
    fake.cutGetAfter = undefined;
    response.write(slice.subarray(0, cut), () => setTimeout(() => response.socket?.destroy(), 20));
    return;
  }
  response.end(slice);
}

const env = () => ({ AWS_ENDPOINT_URL_SSM: endpoint, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'eu-west-1' });
let root: string;
const saved = { ...process.env };

beforeAll(async () => {
  // The SDK's default credential chain reads these from the process.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_EC2_METADATA_DISABLED: 'true' });
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = temporaryFolder('aws-');
});
afterAll(async () => {
  process.env = saved;
  await new Promise(resolve => server.close(resolve));
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe('--from-ssm', () => {
  beforeAll(() => {
    fake.parameters.set('eu-west-1', new Map([['/golden/web/latest', 'ami-0aaaaaaaaaaaaaaaa']]));
    fake.parameters.set('us-east-1', new Map([['/golden/web/latest', 'ami-0bbbbbbbbbbbbbbbb']]));
  });

  test('reads the parameter in each region (through a retried 500) into the box\'s Vagrantfile', async () => {
    fake.ssmErrorsLeft = 1;
    const run = await runVagrantBox(root, ['--provider', 'aws', '--from-ssm', '/golden/web/latest', '--regions', 'eu-west-1,us-east-1', '--out', 'ssm.box', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).amis).toEqual({ 'eu-west-1': 'ami-0aaaaaaaaaaaaaaaa', 'us-east-1': 'ami-0bbbbbbbbbbbbbbbb' });
    expect(fake.requests).toEqual(['POST AmazonSSM.GetParameter', 'POST AmazonSSM.GetParameter', 'POST AmazonSSM.GetParameter']);
    expect(tarMember(path.join(root, 'ssm.box'), 'Vagrantfile')).toContain('aws.region_config "us-east-1", ami: "ami-0bbbbbbbbbbbbbbbb"');
  });

  test('a region without the parameter: exit 2 naming the parameter and region, no box', async () => {
    const run = await runVagrantBox(root, ['--provider', 'aws', '--from-ssm', '/golden/web/latest', '--regions', 'eu-west-1,ap-south-1', '--out', 'missing.box'], env());
    expect(run).toMatchObject({ code: 2, stderr: 'cdk-immutable-infra: --from-ssm /golden/web/latest: no such parameter in ap-south-1: deploy the image\'s pipeline there, or drop ap-south-1 from --regions\n' });
    expect(fs.existsSync(path.join(root, 'missing.box'))).toBe(false);
  });

  test('--from-ssm without --regions says which regions to give', async () => {
    const run = await runVagrantBox(root, ['--provider', 'aws', '--from-ssm', '/golden/web/latest', '--out', 'x.box'], env());
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('--from-ssm /golden/web/latest needs --regions') });
    expect(fake.requests).toEqual([]);
  });
});

describe('--from-s3', () => {
  let disk: Buffer;
  beforeAll(() => {
    const file = path.join(root, 'source.vmdk');
    writeSparseVmdkHeader(file, 2 * 1024 * 1024, 'streamOptimized');
    // A disk of a few MiB, so the download is several chunks.
    disk = Buffer.concat([fs.readFileSync(file), crypto.randomBytes(3 * 1024 * 1024)]);
    fake.objects.set('images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', { body: disk, etag: '"v1"' });
  });

  test('a download cut mid-way keeps only the .part; run again, it fetches the rest by range and builds the box', async () => {
    const dir = temporaryFolder('s3-');
    const args = ['--provider', 'virtualbox', '--from-s3', 's3://images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', '--out', 'web.box'];
    fake.cutGetAfter = 1024 * 1024;
    const first = await runVagrantBox(dir, args, env());
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`--from-s3 s3://images/.*: the download stopped at \\d+ of ${disk.length} bytes .*run the command again`));
    expect(fs.readdirSync(dir).sort()).toEqual(['export-ami-0aaaaaaaaaaaaaaaa.vmdk.part', 'export-ami-0aaaaaaaaaaaaaaaa.vmdk.part.json']);
    const kept = fs.statSync(path.join(dir, 'export-ami-0aaaaaaaaaaaaaaaa.vmdk.part')).size;
    // The message names what is kept: the command waits for writes in flight before it reports.
    expect(first.stderr).toContain(`the download stopped at ${kept} of ${disk.length} bytes`);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(disk.length);

    fake.requests.length = 0;
    const second = await runVagrantBox(dir, args, env());
    expect(second.code).toBe(0);
    expect(fake.requests).toEqual([
      'HEAD images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk',
      `GET images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk bytes=${kept}-`,
    ]);
    expect(second.stderr).toMatch(/downloading s3:\/\/.*: 3\.0 \/ 3\.0 MiB \(100%\)/);
    expect(fs.readdirSync(dir).sort()).toEqual(['export-ami-0aaaaaaaaaaaaaaaa.vmdk', 'web.box']);
    expect(fs.readFileSync(path.join(dir, 'export-ami-0aaaaaaaaaaaaaaaa.vmdk')).equals(disk)).toBe(true);
    expect(tarMemberBytes(path.join(dir, 'web.box'), 'box-disk001.vmdk').equals(disk)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  test('an object replaced since the partial download: it starts over', async () => {
    const dir = temporaryFolder('s3-changed-');
    const args = ['--ovf', '--from-s3', 's3://images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', '--out', 'web.ova'];
    fake.cutGetAfter = 512 * 1024;
    expect((await runVagrantBox(dir, args, env())).code).toBe(1);
    const replaced = Buffer.concat([disk.subarray(0, 1536), crypto.randomBytes(disk.length - 1536)]);
    fake.objects.set('images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', { body: replaced, etag: '"v2"' });
    fake.requests.length = 0;
    expect((await runVagrantBox(dir, args, env())).code).toBe(0);
    expect(fake.requests[1]).toBe('GET images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk');
    expect(fs.readFileSync(path.join(dir, 'export-ami-0aaaaaaaaaaaaaaaa.vmdk')).equals(replaced)).toBe(true);
    fake.objects.set('images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', { body: disk, etag: '"v1"' });
    fs.rmSync(dir, { recursive: true });
  });

  test('an object replaced between HEAD and GET: If-Match fails, exit 1, and the next run downloads the new one', async () => {
    const dir = temporaryFolder('s3-race-');
    const args = ['--provider', 'virtualbox', '--from-s3', 's3://images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', '--out', 'web.box'];
    fake.replaceBeforeGet = true;
    const first = await runVagrantBox(dir, args, env());
    expect(first).toMatchObject({ code: 1, stderr: expect.stringContaining('--from-s3 s3://images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk: PreconditionFailed') });
    expect(fs.existsSync(path.join(dir, 'web.box'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'export-ami-0aaaaaaaaaaaaaaaa.vmdk'))).toBe(false);
    expect((await runVagrantBox(dir, args, env())).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'export-ami-0aaaaaaaaaaaaaaaa.vmdk')).equals(disk)).toBe(true);
    fake.objects.set('images/exports/web/export-ami-0aaaaaaaaaaaaaaaa.vmdk', { body: disk, etag: '"v1"' });
    fs.rmSync(dir, { recursive: true });
  });

  test('no such object: exit 2 naming the URL, nothing written', async () => {
    const dir = temporaryFolder('s3-missing-');
    const run = await runVagrantBox(dir, ['--provider', 'virtualbox', '--from-s3', 's3://images/exports/none.vmdk', '--out', 'web.box'], env());
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('--from-s3 s3://images/exports/none.vmdk: no such object: check the bucket and key') });
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });
});
