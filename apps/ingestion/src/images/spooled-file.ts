import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * An upload received whole, with its SHA-256 and size: its bytes in memory when small (`content` a
 * Buffer) or in a private temp file (`content` the file's path). Either form is what the codec and
 * readHead take.
 */
export interface SpooledFile {
  content: Buffer | string;
  sha256: string;
  size: number;
  /** Removes the temp file or gives the memory back; idempotent. */
  dispose(): Promise<void>;
}

export class SpoolLimitError extends Error {
  override readonly name = 'SpoolLimitError';
}

/**
 * Bytes of uploads held in memory at once, across all requests of the process. Uploads that would
 * go over it (or over the per-file cap) are written to disk instead, so memory stays bounded
 * whatever the number and size of concurrent uploads.
 */
export class MemoryBudget {
  private used = 0;
  constructor(readonly capacity: number) {}
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
  get inUse(): number {
    return this.used;
  }
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /** Shared budget for in-memory uploads; without it every upload goes to disk. */
  memory?: MemoryBudget;
  /** Largest upload kept in memory; a larger one spills to disk at this size. */
  memoryPerFile?: number;
  /** The size the source says it has (an archive entry's header, an object's length): over memoryPerFile, straight to disk. */
  expectedBytes?: number;
}

/**
 * Reads `source` whole, hashing on the way. Small uploads stay in memory (no temp file to write,
 * read back and remove: most photos and panoramics are 1-4 MB); past `memoryPerFile`, or when the
 * shared budget is spent, what was held goes to a temp file and the rest streams after it, a chunk
 * at a time. Over `maxBytes` it stops reading and throws SpoolLimitError. Any failure (client gone,
 * disk full, time-out) removes the partial file and returns the memory before rethrowing.
 */
export async function spool(source: Readable, opts: SpoolOptions): Promise<SpooledFile> {
  const hash = createHash('sha256');
  const cap = opts.memoryPerFile ?? 4 * 1024 * 1024;
  const memoryPerFile = opts.memory && !((opts.expectedBytes ?? 0) > cap) ? cap : 0;
  let size = 0;
  let held: Buffer[] = [];
  let reserved = 0;
  let file: FileHandle | undefined;
  let path: string | undefined;
  const release = () => {
    opts.memory?.give(reserved);
    reserved = 0;
    held = [];
  };
  const removeFile = async () => {
    await file?.close().catch(() => undefined);
    file = undefined;
    if (path) await rm(path, { force: true });
  };
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > opts.maxBytes) return done(new SpoolLimitError(`more than ${opts.maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const accept = async (chunk: Buffer) => {
    if (!file) {
      if (reserved + chunk.length <= memoryPerFile && opts.memory?.tryTake(chunk.length)) {
        reserved += chunk.length;
        held.push(chunk);
        return;
      }
      await mkdir(opts.dir, { recursive: true, mode: 0o700 });
      path = join(opts.dir, `upload-${randomUUID()}`);
      file = await open(path, 'wx', 0o600);
      for (const piece of held) await writeAll(file, piece);
      release();
    }
    await writeAll(file, chunk);
  };
  // The write in progress: a failure elsewhere (client gone, time-out) must wait for it before
  // cleaning up, or a file opened after the clean-up would be left behind, open.
  let writing: Promise<void> | undefined;
  try {
    // On any failure the pipeline destroys the source with the error, which ends the multipart
    // parser's part; the controller also closes the connection of a stalled or oversized upload.
    await pipeline(
      source,
      meter,
      new Writable({
        write(chunk: Buffer, _enc, done) {
          writing = accept(chunk);
          writing.then(() => done(), done);
        },
      }),
    );
    if (file) {
      await file.close();
      file = undefined;
      const onDisk = path!;
      return { content: onDisk, sha256: hash.digest('hex'), size, dispose: () => rm(onDisk, { force: true }) };
    }
  } catch (error) {
    await writing?.catch(() => undefined);
    release();
    await removeFile();
    throw error;
  }
  const content = held.length === 1 ? held[0]! : Buffer.concat(held, size);
  held = [];
  let disposed = false;
  return {
    content,
    sha256: hash.digest('hex'),
    size,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
}

/** The upload's bytes as a body for a put: the buffer itself, or a stream of the temp file. */
export const openSpooled = (f: SpooledFile): Buffer | Readable =>
  typeof f.content === 'string' ? createReadStream(f.content) : f.content;

/** The upload's bytes whole (callers bound the size first). */
export const readSpooled = (f: SpooledFile): Promise<Buffer> =>
  typeof f.content === 'string' ? readFile(f.content) : Promise.resolve(f.content);

/** FileHandle.write may write less than asked (a nearly full disk): write until all of it is down. */
async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
