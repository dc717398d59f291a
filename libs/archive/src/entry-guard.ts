import { Transform, TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { nestedArchiveKind, SNIFF_BYTES } from './archive-format';
import { ArchiveCorruptError, EntryRefusedError } from './errors';
import { Budget, ArchiveLimits, ratioExceeded } from './limits';

export interface GuardOptions {
  limits: ArchiveLimits;
  budget: Budget;
  declaredSize?: number;
  /** Zip only: the bytes the inflater reads, a bound the headers cannot lie about. */
  compressedSize?: number;
  /** Zip only: checked at the end, so a flipped bit in a stored entry is not imported silently. */
  crc32?: number;
}

/**
 * Sits between an entry's (inflated) bytes and the caller, and errors the stream the moment a limit
 * is passed, before the offending chunk reaches the caller. Counting here rather than trusting the
 * headers is what stops a zip whose header declares 1 KB and inflates to 10 GB.
 */
export class EntryGuard extends Transform {
  private bytes = 0;
  private crc = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed = false;

  constructor(private readonly opts: GuardOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const refusal = this.count(chunk.length);
    if (refusal) return callback(refusal);
    if (this.opts.crc32 !== undefined) this.crc = crc32(chunk, this.crc);
    if (this.sniffed) return callback(null, chunk);
    // Hold the first bytes back until the nested-archive sniff has seen enough of them.
    this.head.push(chunk);
    this.headBytes += chunk.length;
    callback(this.headBytes >= SNIFF_BYTES ? this.releaseHead() : null);
  }

  override _flush(callback: TransformCallback): void {
    const nested = this.sniffed ? undefined : this.releaseHead();
    if (nested) return callback(nested);
    const { declaredSize, crc32: expected } = this.opts;
    if (declaredSize !== undefined && this.bytes < declaredSize) {
      return callback(new ArchiveCorruptError(`entry ended after ${this.bytes} of its ${declaredSize} declared bytes`));
    }
    if (expected !== undefined && this.crc >>> 0 !== expected >>> 0) {
      return callback(new ArchiveCorruptError('entry fails its CRC-32 check'));
    }
    callback();
  }

  private count(n: number): Error | undefined {
    const { limits, budget, declaredSize, compressedSize } = this.opts;
    this.bytes += n;
    budget.used += n;
    if (declaredSize !== undefined && this.bytes > declaredSize) {
      return new EntryRefusedError('entry-too-large', `inflates past the ${declaredSize} bytes its header declares`);
    }
    if (this.bytes > limits.maxEntryBytes) {
      return new EntryRefusedError('entry-too-large', `inflates past the ${limits.maxEntryBytes}-byte entry limit`);
    }
    if (compressedSize !== undefined && ratioExceeded(this.bytes, compressedSize, limits)) {
      return new EntryRefusedError(
        'compression-ratio',
        `inflates more than ${limits.maxCompressionRatio} times its ${compressedSize} compressed bytes`,
      );
    }
    if (budget.used > limits.maxTotalBytes) {
      return new EntryRefusedError(
        'total-too-large',
        `the archive inflates past ${limits.maxTotalBytes} bytes in total`,
      );
    }
    return undefined;
  }

  private releaseHead(): Error | undefined {
    this.sniffed = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    const kind = nestedArchiveKind(head);
    if (kind) return new EntryRefusedError('nested-archive', `the entry is itself an archive (${kind})`);
    if (head.length > 0) this.push(head);
    return undefined;
  }
}
