import * as fs from 'fs';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { ByteProgress, counting } from './byte-progress';
import { loadAwsClients } from './load-aws-clients';
import { CliError, ExitCode, usageError } from '../core/cli-error';

/** Where a download stands: the partial file and the object version it holds part of. */
interface PartialState {
  readonly etag: string;
  readonly size: number;
}

/** `s3://bucket/key` as its two parts. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (!match) {
    throw usageError(`--from-s3 ${url}: not an S3 URL: write s3://bucket/key (the key of the exported disk)`);
  }
  return { bucket: match[1], key: match[2] };
}

/**
 * Downloads an object to `target`, restartably: the bytes go to `<target>.part` (with the
 * object's ETag beside it in `<target>.part.json`), and only a complete download is renamed to
 * `target`. Run again after an interruption, it asks for the missing range only, on condition
 * that the object is still the one the partial file holds part of (`If-Match`); if the object
 * changed, it starts over. `target` itself is never a partial file.
 */
export async function downloadFromS3(url: string, target: string, env: NodeJS.ProcessEnv, progress: ByteProgress): Promise<number> {
  const { bucket, key } = parseS3Url(url);
  const { S3Client, HeadObjectCommand, GetObjectCommand } = loadAwsClients();
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  // A custom endpoint (a local S3-compatible server) takes path-style addressing.
  const client = new S3Client({ region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1', endpoint, forcePathStyle: Boolean(endpoint), maxAttempts: 5 });
  const part = `${target}.part`;
  const stateFile = `${part}.json`;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(e => {
      throw usageError(`--from-s3 ${url}: ${e.name === 'NotFound' ? 'no such object' : `${e.name}: ${e.message}`}: check the bucket and key of the exported disk`);
    });
    const total = head.ContentLength ?? 0;
    const etag = head.ETag ?? '';
    const offset = resumeOffset(part, stateFile, etag, total);
    if (offset === 0) {
      fs.writeFileSync(part, '');
    }
    fs.writeFileSync(stateFile, JSON.stringify({ etag, size: total } satisfies PartialState));
    if (offset < total) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag || undefined, Range: offset > 0 ? `bytes=${offset}-` : undefined }))
        .catch(e => {
          // 412: the object was replaced between HEAD and GET; the next run starts over on the new one.
          throw new CliError(`--from-s3 ${url}: ${e.name}: ${e.message}: run the command again`, ExitCode.FAILED);
        });
      const body = object.Body as Readable;
      let done = offset;
      progress.update(done, total);
      const out = fs.createWriteStream(part, { flags: 'a' });
      await pipeline(body, counting(bytes => progress.update(done += bytes, total)), out).catch(async e => {
        progress.done();
        // A write in flight when the download broke still lands: wait for the file to close, so
        // that what is kept (and what the next run resumes from) is what the message says.
        await new Promise<void>(resolve => (out.closed ? resolve() : out.once('close', () => resolve())));
        throw new CliError(`--from-s3 ${url}: the download stopped at ${fs.statSync(part).size} of ${total} bytes (${e.code ?? e.name}: ${e.message}): `
          + `run the command again to fetch the rest (kept in ${part})`, ExitCode.FAILED);
      });
    }
    progress.done();
    const size = fs.statSync(part).size;
    if (size !== total) {
      throw new CliError(`--from-s3 ${url}: downloaded ${size} of ${total} bytes: run the command again to fetch the rest`, ExitCode.FAILED);
    }
    fs.renameSync(part, target);
    fs.rmSync(stateFile, { force: true });
    return total;
  } finally {
    client.destroy();
  }
}

/** How many bytes of `part` can be kept: all of it when it holds the same object, else none. */
function resumeOffset(part: string, stateFile: string, etag: string, total: number): number {
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf-8')) as PartialState;
    const size = fs.statSync(part).size;
    return state.etag === etag && state.size === total && size <= total ? size : 0;
  } catch {
    return 0;
  }
}
