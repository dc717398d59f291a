import type { Readable } from 'node:stream';
import type { ArchiveEntry } from '../archive-entry';
import type { ArchiveLimits } from '../limits';

export const LIMITS: ArchiveLimits = {
  maxEntryBytes: 10 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxEntries: 1000,
  maxTotalBytes: 100 * 1024 * 1024,
};

export interface Collected {
  index: number;
  name: string;
  path?: string;
  refused?: string;
  /** The bytes read, as far as the stream got. */
  data?: Buffer;
  error?: unknown;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every entry, each opened and read to its end (or its error) unless refused. */
export async function collect(entries: AsyncIterable<ArchiveEntry>): Promise<Collected[]> {
  const out: Collected[] = [];
  for await (const e of entries) {
    const row: Collected = { index: e.index, name: e.name, path: e.path, refused: e.refused?.code };
    if (e.open) {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of e.open()) chunks.push(chunk as Buffer);
      } catch (error) {
        row.error = error;
      }
      row.data = Buffer.concat(chunks);
    }
    out.push(row);
  }
  return out;
}
