import type { Readable, Writable } from 'node:stream';
import { checkEntryName, displayName } from './entry-name';
import { EntryGuard } from './entry-guard';
import type { EntryRefusalCode } from './errors';
import { ArchiveLimits, Budget, ratioExceeded } from './limits';

export interface ArchiveEntry {
  /** 0-based ordinal among yielded entries (directories are not yielded), stable across runs of the same archive: the resume key. */
  index: number;
  /** The entry's path as the archive wrote it, control characters escaped and cut to a report-sized length. */
  name: string;
  /** The normalized relative path ('/'-separated, NFC, no '.' or '..'); absent when the name itself was refused. The key to look up in a manifest. */
  path?: string;
  declaredSize?: number;
  refused?: { code: EntryRefusalCode; reason: string };
  /**
   * Only when not refused. Streams the entry's bytes; the stream errors with EntryRefusedError when,
   * while inflating, it passes maxEntryBytes, its declared size, the compression ratio or the total
   * budget, or when its first bytes are an archive ('nested-archive'); with ArchiveCorruptError when
   * the entry's data is broken. Fully consume it or call skip() before pulling the next entry: the
   * reader destroys a stream still unread at that point.
   */
  open?(): Readable;
  skip(): Promise<void>;
}

/** What a format reader knows about an entry before reading any of its bytes. */
export interface Candidate {
  rawName: string;
  kind: 'file' | 'symlink' | 'special';
  /** e.g. 'fifo', 'character-device'. */
  kindDetail?: string;
  declaredSize?: number;
  compressedSize?: number;
  crc32?: number;
  encrypted?: boolean;
  /** Set when the entry uses a compression method the reader cannot inflate. */
  unsupportedMethod?: number;
}

/** How a format reader delivers one entry's bytes. */
export interface EntryBytes {
  /** Starts the bytes flowing into `into`, honouring its backpressure; errors end in `into.destroy(error)`. */
  pipeTo(into: Writable): void;
  /** Stops and throws away whatever is left, so the archive can move on. Idempotent. */
  discard(): Promise<void>;
}

export interface ScreenedEntry {
  entry: ArchiveEntry;
  /** Run before pulling the next entry: skips this one unless the caller consumed it. */
  settle(): Promise<void>;
}

/**
 * The archive-wide rules, the same for zip, tar and folders: names, entry types, counts,
 * duplicates, declared sizes and the inflated-bytes budget.
 */
export class EntryScreen {
  private nextIndex = 0;
  // Bounded by maxEntries: names past it are refused before they are remembered.
  private readonly seen = new Set<string>();
  private readonly budget: Budget = { used: 0 };

  constructor(private readonly limits: ArchiveLimits) {}

  screen(c: Candidate, bytes: EntryBytes): ScreenedEntry {
    const index = this.nextIndex++;
    const name = checkEntryName(c.rawName);
    const path = name.ok ? name.path : undefined;
    const refused = name.ok ? this.refusal(index, name.path, c) : { code: name.code, reason: name.reason };

    let guard: EntryGuard | undefined;
    let discarded: Promise<void> | undefined;
    const skip = async () => {
      // A stream the caller stopped reading: destroyed without an error, so a caller without an
      // 'error' listener does not crash; readers of it see a premature close.
      if (guard && !guard.readableEnded) guard.destroy();
      discarded ??= bytes.discard();
      await discarded;
    };
    const entry: ArchiveEntry = { index, name: displayName(c.rawName), path, declaredSize: c.declaredSize, skip };
    if (refused) {
      entry.refused = refused;
    } else {
      entry.open = () => {
        if (guard || discarded) throw new Error('an archive entry can be opened once, and not after skip()');
        guard = new EntryGuard({
          limits: this.limits,
          budget: this.budget,
          declaredSize: c.declaredSize,
          compressedSize: c.compressedSize,
          crc32: c.crc32,
        });
        bytes.pipeTo(guard);
        return guard;
      };
    }
    return { entry, settle: skip };
  }

  private refusal(index: number, path: string, c: Candidate): ArchiveEntry['refused'] {
    const { limits } = this;
    if (c.kind === 'symlink') return { code: 'symlink', reason: 'links are not imported' };
    if (c.kind === 'special')
      return { code: 'special-file', reason: `${c.kindDetail ?? 'special file'} is not a regular file` };
    if (index >= limits.maxEntries) {
      return { code: 'too-many-entries', reason: `the archive has more than ${limits.maxEntries} entries` };
    }
    if (this.seen.has(path)) return { code: 'duplicate-name', reason: 'an earlier entry has the same path' };
    this.seen.add(path);
    if (c.encrypted) return { code: 'encrypted', reason: 'the entry is encrypted' };
    if (c.unsupportedMethod !== undefined) {
      return { code: 'unsupported-compression', reason: `compression method ${c.unsupportedMethod} is not supported` };
    }
    const size = c.declaredSize;
    if (size !== undefined && size > limits.maxEntryBytes) {
      return { code: 'entry-too-large', reason: `declares ${size} bytes, over the ${limits.maxEntryBytes}-byte limit` };
    }
    if (size !== undefined && c.compressedSize !== undefined && ratioExceeded(size, c.compressedSize, limits)) {
      return {
        code: 'compression-ratio',
        reason: `declares ${size} bytes from ${c.compressedSize} compressed, over the ${limits.maxCompressionRatio}:1 ratio`,
      };
    }
    if (size !== undefined && this.budget.used + size > limits.maxTotalBytes) {
      return { code: 'total-too-large', reason: `would take the archive past ${limits.maxTotalBytes} inflated bytes` };
    }
    return undefined;
  }
}
