import { pipeline, Readable, Transform, TransformCallback, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { isTar } from './archive-format';
import { ArchiveEntry, Candidate, EntryBytes, EntryScreen } from './archive-entry';
import { ArchiveCorruptError, EntryRefusedError } from './errors';
import { ArchiveLimits, ratioExceeded } from './limits';

/** tar-stream's entries are streamx streams, not Node ones: fed by hand below, never piped. */
type TarEntryStream = tar.ExtractEvents['entry'][1];

const SPECIAL_TYPES = new Set(['character-device', 'block-device', 'fifo']);

/**
 * Tar entries in archive order, straight off a stream: nothing is buffered beyond the streams'
 * own high-water marks, because tar-stream does not parse the next header until the current
 * entry's bytes have been read or skipped (that is the backpressure).
 */
export async function* readTar(input: Readable, gzipped: boolean, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  const extract = tar.extract();
  let injected: unknown;
  const zlibErrors = new WeakSet<object>();
  const fail = (error: unknown) => {
    injected ??= error;
    extract.destroy(error as Error);
  };
  // Errors tar-stream raises itself mean a broken archive; the ones injected here are already typed.
  const typed = (error: unknown) =>
    error === injected ? error : new ArchiveCorruptError(`broken tar: ${(error as Error).message}`, { cause: error });

  const stages = gzipped ? gunzipStages(limits, zlibErrors) : [];
  const head = new TarHeadCheck(gzipped);
  pipeline([input, ...stages, head], (error) => {
    if (!error) return;
    // pipeline destroys every stage with the first error, so the gunzip also sees ours: check them first.
    const ours = error instanceof EntryRefusedError || error instanceof ArchiveCorruptError;
    const gzipBroken = !ours && zlibErrors.has(error);
    fail(gzipBroken ? new ArchiveCorruptError(`broken gzip: ${error.message}`, { cause: error }) : error);
  });
  head.pipe(extract as unknown as Writable);

  const entries = extract[Symbol.asyncIterator]();
  const screen = new EntryScreen(limits);
  try {
    for (;;) {
      let next: IteratorResult<TarEntryStream>;
      try {
        next = await entries.next();
      } catch (error) {
        throw typed(error);
      }
      if (next.done) return;
      const raw = next.value;
      const candidate = describe(raw.header);
      if (!candidate) {
        raw.resume();
        continue;
      }
      const screened = screen.screen(candidate, entryBytes(raw, typed));
      yield screened.entry;
      await screened.settle();
    }
  } finally {
    extract.destroy();
    input.destroy();
  }
}

function describe(header: tar.Header): Candidate | undefined {
  const type: string = header.type ?? 'unknown';
  if (type === 'directory') return undefined;
  const base = { rawName: header.name, declaredSize: header.size ?? 0 };
  if (type === 'symlink' || type === 'link') return { ...base, kind: 'symlink' };
  if (type === 'file' || type === 'contiguous-file') return { ...base, kind: 'file' };
  return { ...base, kind: 'special', kindDetail: SPECIAL_TYPES.has(type) ? type : `tar entry type '${type}'` };
}

/** Feeds a tar entry into the caller's stream with backpressure; discarding reads the rest into nothing. */
function entryBytes(raw: TarEntryStream, typed: (e: unknown) => unknown): EntryBytes {
  let over = false;
  raw.once('end', () => (over = true));
  raw.once('close', () => (over = true));
  let detach: () => void = () => undefined;
  let discarded: Promise<void> | undefined;
  return {
    pipeTo(into: Writable) {
      const onData = (chunk: unknown) => {
        if (!into.write(chunk)) raw.pause();
      };
      const onDrain = () => raw.resume();
      const onEnd = () => into.end();
      const onError = (error: unknown) => into.destroy(typed(error) as Error);
      raw.on('data', onData);
      raw.on('end', onEnd);
      raw.on('error', onError);
      into.on('drain', onDrain);
      // The caller destroyed its stream (or a limit did): stop feeding; settle() drains the rest.
      into.once('close', () => detach());
      detach = () => {
        raw.off('data', onData);
        raw.off('end', onEnd);
        raw.off('error', onError);
        into.off('drain', onDrain);
        raw.pause();
      };
    },
    discard() {
      discarded ??= new Promise<void>((resolve) => {
        detach();
        if (over) return resolve();
        raw.once('end', resolve);
        raw.once('close', resolve);
        raw.resume();
      });
      return discarded;
    },
  };
}

/**
 * The whole gzip stream is held to the compression ratio too: skipping a refused 100 GB entry
 * still means inflating it, so a small tar.gz must not be able to make us inflate without end.
 */
function gunzipStages(limits: ArchiveLimits, zlibErrors: WeakSet<object>): Transform[] {
  let compressed = 0;
  let inflated = 0;
  const countIn = new Transform({
    transform(chunk: Buffer, _e, cb) {
      compressed += chunk.length;
      cb(null, chunk);
    },
  });
  const gunzip = createGunzip();
  gunzip.on('error', (error) => zlibErrors.add(error));
  const ratio = new Transform({
    transform(chunk: Buffer, _e, cb) {
      inflated += chunk.length;
      if (ratioExceeded(inflated, compressed, limits)) {
        return cb(
          new EntryRefusedError(
            'compression-ratio',
            `the gzip stream inflates more than ${limits.maxCompressionRatio} times its compressed size`,
          ),
        );
      }
      cb(null, chunk);
    },
  });
  return [countIn, gunzip, ratio];
}

/** Checks the first block is a ustar header (or the end-of-archive zeros) before tar-stream sees it. */
class TarHeadCheck extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private checked = false;

  constructor(private readonly gzipped: boolean) {
    super();
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.checked) return cb(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    cb(this.headBytes >= 512 ? this.release() : null);
  }

  override _flush(cb: TransformCallback): void {
    cb(this.checked ? null : this.release());
  }

  private release(): Error | undefined {
    this.checked = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    const block = head.subarray(0, 512);
    if (block.length < 512 || !(isTar(block) || block.every((b) => b === 0))) {
      return new ArchiveCorruptError(
        this.gzipped ? 'the gzip stream does not hold a tar archive' : 'not a tar archive',
      );
    }
    this.push(head);
    return undefined;
  }
}
