import * as crypto from 'crypto';
import * as fs from 'fs';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { readChunks } from './byte-progress';

/** One member of an archive: text made here, or a file copied in. */
export interface ArchiveEntry {
  /** The member's name in the archive. */
  readonly name: string;
  readonly text?: string;
  readonly file?: string;
}

/** Bytes copied so far of the bytes to copy. */
export type ByteListener = (done: number, total: number) => void;

export interface ArchiveOptions {
  readonly gzip: boolean;
  /** Every member's modification time, in seconds since the epoch. */
  readonly mtime: number;
  readonly onBytes?: ByteListener;
}

const BLOCK = 512;
/** The largest size an ustar header holds in octal (8 GiB - 1); larger sizes use base-256. */
const OCTAL_SIZE_LIMIT = 0o77777777777;

/**
 * Writes a tar archive (gzip-compressed when `gzip`) whose bytes depend only on the entries:
 * members in the order given, mode 0644, uid/gid 0, no user or group names, every mtime `mtime`
 * (seconds; SOURCE_DATE_EPOCH by convention). Disks over 8 GiB get their size in base-256, as
 * GNU tar and libarchive (Vagrant unpacks with bsdtar) read it. Returns the archive's SHA-256.
 */
export async function writeArchive(out: string, entries: readonly ArchiveEntry[], options: ArchiveOptions): Promise<string> {
  const sizes = entries.map(entry => (entry.file !== undefined ? fs.statSync(entry.file).size : Buffer.byteLength(entry.text ?? '')));
  const total = sizes.reduce((a, b) => a + b, 0);
  const hash = crypto.createHash('sha256');
  let done = 0;
  async function* members(): AsyncGenerator<Buffer> {
    for (const [index, entry] of entries.entries()) {
      yield header(entry.name, sizes[index], options.mtime);
      if (entry.file !== undefined) {
        for await (const chunk of readChunks(entry.file)) {
          done += chunk.length;
          options.onBytes?.(done, total);
          yield chunk;
        }
      } else {
        done += sizes[index];
        yield Buffer.from(entry.text ?? '');
      }
      const pad = (BLOCK - (sizes[index] % BLOCK)) % BLOCK;
      if (pad > 0) {
        yield Buffer.alloc(pad);
      }
    }
    // Two zero blocks end the archive.
    yield Buffer.alloc(BLOCK * 2);
  }
  const target = fs.createWriteStream(out, { flags: 'wx' });
  if (options.gzip) {
    await pipeline(members, zlib.createGzip({ level: 6 }), hashing(hash), target);
  } else {
    await pipeline(members, hashing(hash), target);
  }
  return hash.digest('hex');
}

function header(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) {
    throw new Error(`archive member name longer than 100 bytes: ${name}`);
  }
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf-8');
  writeOctal(block, 0o644, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  if (size > OCTAL_SIZE_LIMIT) {
    // Base-256: the first byte's high bit set, the number big-endian in the remaining 11 bytes.
    block[124] = 0x80;
    block.writeBigUInt64BE(BigInt(size), 124 + 4);
  } else {
    writeOctal(block, size, 124, 12);
  }
  writeOctal(block, mtime, 136, 12);
  block.write('0', 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  // The checksum is summed with its own field as spaces.
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

/** A pipeline stage that hashes what passes through. */
export function hashing(hash: crypto.Hash): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  };
}
