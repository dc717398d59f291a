import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** Bytes by range: what a zip reader needs, since a zip's index sits at its end. */
export interface RandomAccessSource {
  size: number;
  /** The bytes in [start, endExclusive). */
  read(start: number, endExclusive: number): Promise<Readable>;
}

/** A local file as a source; each read opens its own stream, so nothing needs closing. */
export async function fileSource(path: string): Promise<RandomAccessSource> {
  const s = await stat(path);
  if (!s.isFile()) throw new Error('a file source must be a regular file');
  return {
    size: s.size,
    read: async (start, endExclusive) =>
      endExclusive <= start ? Readable.from([]) : createReadStream(path, { start, end: endExclusive - 1 }),
  };
}
