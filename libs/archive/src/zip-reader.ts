import type { Readable, Writable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ArchiveEntry, Candidate, EntryBytes, EntryScreen } from './archive-entry';
import { ArchiveCorruptError } from './errors';
import type { ArchiveLimits } from './limits';
import type { RandomAccessSource } from './random-access-source';
import { YauzlSourceReader } from './yauzl-source-reader';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const SPECIAL: Record<number, string> = {
  0o010000: 'fifo',
  0o020000: 'character-device',
  0o060000: 'block-device',
  0o140000: 'socket',
};

/**
 * Zip entries in central-directory order, reading only the ranges it needs from the source.
 *
 * yauzl options, and why: `lazyEntries` so one entry is read at a time; `decodeStrings: false`
 * because with it yauzl fails the whole archive on the first '../' or absolute name, where we want
 * to refuse that one entry and go on (names are decoded below with yauzl's own decoder, keeping
 * backslashes); `validateEntrySizes: false` because it too fails the whole archive on a stored
 * entry's size mismatch, and EntryGuard enforces declared sizes per entry anyway.
 */
export async function* readZip(source: RandomAccessSource, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  const reader = new YauzlSourceReader(source);
  const corrupt = (error: unknown): unknown =>
    reader.isSourceError(error)
      ? error
      : new ArchiveCorruptError(`broken zip: ${(error as Error).message}`, { cause: error });
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      reader,
      source.size,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false },
      (error, zipfile) => (error ? reject(corrupt(error)) : resolve(zipfile)),
    ),
  );
  let failure: unknown;
  zip.on('error', (error) => (failure = corrupt(error)));
  const screen = new EntryScreen(limits);
  try {
    for (;;) {
      const entry = await nextEntry(zip, () => failure);
      if (!entry) return;
      const candidate = describe(entry);
      if (!candidate) continue;
      const screened = screen.screen(candidate, entryBytes(zip, entry, corrupt));
      yield screened.entry;
      await screened.settle();
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile, failure: () => unknown): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => () => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      fn();
    };
    const onEntry = (e: yauzl.Entry) => done(() => resolve(e))();
    const onEnd = done(() => resolve(undefined));
    const onError = done(() => reject(failure()));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

/** What the central directory says about an entry; undefined for directories, which are not yielded. */
function describe(entry: yauzl.Entry): Candidate | undefined {
  const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  // The upper 16 bits hold a Unix st_mode when the archiver wrote one (zero from DOS/Windows tools).
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (/[/\\]$/.test(rawName) || type === S_IFDIR) return undefined;
  const base = { rawName, declaredSize: entry.uncompressedSize };
  if (type === S_IFLNK) return { ...base, kind: 'symlink' };
  if (type !== 0 && type !== S_IFREG) return { ...base, kind: 'special', kindDetail: SPECIAL[type] ?? 'special file' };
  return {
    ...base,
    kind: 'file',
    compressedSize: entry.compressedSize,
    crc32: entry.crc32,
    // Bit 0 of the general purpose flags: traditional or AES encryption.
    encrypted: (entry.generalPurposeBitFlag & 0x1) !== 0,
    unsupportedMethod:
      entry.compressionMethod === 0 || entry.compressionMethod === 8 ? undefined : entry.compressionMethod,
  };
}

function entryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, corrupt: (e: unknown) => unknown): EntryBytes {
  let stream: Readable | undefined;
  return {
    pipeTo(into: Writable) {
      zip.openReadStream(entry, (error, s) => {
        if (error) return into.destroy(corrupt(error) as Error);
        if (into.destroyed) return s.destroy();
        stream = s;
        s.on('error', (e) => into.destroy(corrupt(e) as Error));
        into.on('close', () => s.destroy());
        s.pipe(into);
      });
    },
    async discard() {
      // Random access: nothing to read past, only the inflater to stop.
      stream?.destroy();
    },
  };
}
