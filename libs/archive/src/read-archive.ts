import type { Readable } from 'node:stream';
import type { ArchiveEntry } from './archive-entry';
import type { ArchiveLimits } from './limits';
import type { RandomAccessSource } from './random-access-source';
import { readTar } from './tar-reader';
import { readZip } from './zip-reader';

/** A zip needs random access (its index is at the end); a tar is read front to back. */
export type ArchiveInput =
  { format: 'zip'; source: RandomAccessSource } | { format: 'tar' | 'tar.gz'; stream: Readable };

/**
 * The archive's entries, one at a time. Refused entries are yielded too (with `refused`), so a
 * report can list them. The generator throws ArchiveCorruptError when the archive's structure is
 * broken, and EntryRefusedError('compression-ratio') when a tar.gz as a whole inflates past the
 * ratio; both are final for the archive. Any other error is the source's (I/O), worth a retry.
 */
export function readArchive(input: ArchiveInput, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  if (input.format === 'zip') return readZip(input.source, limits);
  return readTar(input.stream, input.format === 'tar.gz', limits);
}
