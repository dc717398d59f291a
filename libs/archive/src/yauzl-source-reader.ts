import { PassThrough, Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import type { RandomAccessSource } from './random-access-source';

/** Reads up to this size are served from one cached block (see below). */
const BLOCK_BYTES = 64 * 1024;

/**
 * yauzl's view of a RandomAccessSource. yauzl wants a stream back synchronously, so each read
 * returns a PassThrough that is fed once the source answers.
 *
 * yauzl reads the central directory in tiny pieces (46 bytes, then the name) and each local header
 * in two more; against S3 each piece would be a request. Small reads are therefore served from one
 * cached 64 KB block, so scanning a directory of thousands of entries costs a few requests.
 *
 * Errors that come from the source (I/O) are remembered so the zip reader can tell them from
 * corruption: they are worth retrying, a broken archive is not.
 */
export class YauzlSourceReader extends yauzl.RandomAccessReader {
  private readonly sourceErrors = new WeakSet<object>();
  private block?: { start: number; data: Buffer };

  constructor(private readonly source: RandomAccessSource) {
    super();
  }

  isSourceError(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.sourceErrors.has(error);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    const fail = (error: unknown) => {
      if (typeof error === 'object' && error !== null) this.sourceErrors.add(error);
      out.destroy(error as Error);
    };
    if (end - start <= BLOCK_BYTES) {
      this.readSmall(start, end).then((data) => out.end(data), fail);
      return out;
    }
    this.source.read(start, end).then((stream) => {
      stream.on('error', fail);
      out.on('close', () => stream.destroy());
      stream.pipe(out);
    }, fail);
    return out;
  }

  private async readSmall(start: number, end: number): Promise<Buffer> {
    let block = this.block;
    if (!block || start < block.start || end > block.start + block.data.length) {
      const blockEnd = Math.min(this.source.size, start + BLOCK_BYTES);
      block = { start, data: await readAll(await this.source.read(start, blockEnd), blockEnd - start) };
      this.block = block;
    }
    return block.data.subarray(start - block.start, end - block.start);
  }
}

async function readAll(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    // A source that answers more than it was asked for would otherwise grow this without bound.
    if (total > max) {
      stream.destroy();
      throw new Error(`the source returned more than the ${max} bytes asked for`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
