import * as fs from 'fs';
import { ProgressStream } from '../core/progress';

const MiB = 1024 * 1024;

/**
 * Bytes done of bytes to do, for copies of GiB-sized disks: on a terminal one line redrawn at most
 * every `redrawMs`; elsewhere (CI logs, pipes) a line at each tenth, so a log shows it moving.
 */
export class ByteProgress {
  private lastDraw = 0;
  private lastTenth = -1;

  constructor(private readonly stream: ProgressStream, private readonly label: string, private readonly live: boolean,
    private readonly now: () => number = Date.now, private readonly redrawMs = 200) {}

  public update(done: number, total: number): void {
    if (this.live) {
      const t = this.now();
      if (t - this.lastDraw >= this.redrawMs || done === total) {
        this.lastDraw = t;
        this.stream.write(`\r\x1b[2K${this.text(done, total)}`);
      }
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.text(done, total)}\n`);
    }
  }

  /** Leaves the terminal on a clean line. */
  public done(): void {
    if (this.live) {
      this.stream.write('\r\x1b[2K');
    }
  }

  private text(done: number, total: number): string {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    return `${this.label}: ${(done / MiB).toFixed(1)} / ${(total / MiB).toFixed(1)} MiB (${percent}%)`;
  }
}

/** The chunk size disks are read in: few system calls, little memory. */
const READ_CHUNK = MiB;

/** A file's bytes, in large chunks. */
export function readChunks(file: string): AsyncIterable<Buffer> {
  return fs.createReadStream(file, { highWaterMark: READ_CHUNK });
}

/** Passes chunks through, telling `onChunk` the size of each (a pipeline stage that counts). */
export function counting(onChunk: (bytes: number) => void): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      onChunk(chunk.length);
      yield chunk;
    }
  };
}
