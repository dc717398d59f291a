import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An upload written to a private temp file while its SHA-256 and size were computed. */
export interface SpooledFile {
  path: string;
  sha256: string;
  size: number;
  dispose(): Promise<void>;
}

export class SpoolLimitError extends Error {
  override readonly name = 'SpoolLimitError';
}

/**
 * Streams `source` to disk, hashing on the way, never holding more than a stream chunk in memory
 * whatever the size. Over `maxBytes` it stops reading and throws SpoolLimitError. Any failure
 * (client gone, disk full, time-out) removes the partial file before rethrowing.
 */
export async function spoolToFile(source: Readable, dir: string, maxBytes: number): Promise<SpooledFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `upload-${randomUUID()}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new SpoolLimitError(`more than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const dispose = () => rm(path, { force: true });
  try {
    await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { path, sha256: hash.digest('hex'), size, dispose };
}

export const openSpooled = (f: SpooledFile) => createReadStream(f.path);
