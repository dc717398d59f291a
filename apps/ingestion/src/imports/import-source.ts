import { PassThrough, type Readable, type Writable } from 'node:stream';
import { EntryScreen, readArchive, type ArchiveEntry, type ArchiveLimits } from '@dg/archive';
import type { IngestionConfig } from '@dg/config';
import { S3ObjectStore, type ObjectStore } from '@dg/storage';

/** Where an import's bytes are: `platform:<key>` (an uploaded archive) or `s3://bucket/key-or-prefix`. */
export interface SourceLocation {
  store: ObjectStore;
  key: string;
}

export const platformUri = (key: string) => `platform:${key}`;

/** Opens import sources: the platform's own store for uploads, a store per allowed bucket for s3:// URIs. */
export class SourceStores {
  private readonly buckets = new Map<string, ObjectStore>();

  constructor(
    private readonly platform: ObjectStore,
    private readonly config: IngestionConfig,
  ) {}

  /** Undefined when the bucket is not one the deployment lets imports read. */
  locate(uri: string): SourceLocation | undefined {
    if (uri.startsWith('platform:')) return { store: this.platform, key: uri.slice('platform:'.length) };
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m || !this.allowed(m[1]!)) return undefined;
    return { store: this.bucket(m[1]!), key: m[2]! };
  }

  allowed(bucket: string): boolean {
    return (
      this.config.STORAGE_DRIVER === 's3' &&
      bucket !== this.config.S3_BUCKET &&
      this.config.IMPORT_S3_BUCKETS.includes(bucket)
    );
  }

  private bucket(name: string): ObjectStore {
    let store = this.buckets.get(name);
    if (!store) {
      store = new S3ObjectStore({
        bucket: name,
        region: this.config.S3_REGION,
        endpoint: this.config.S3_ENDPOINT,
        accessKeyId: this.config.S3_ACCESS_KEY_ID,
        secretAccessKey: this.config.S3_SECRET_ACCESS_KEY,
        forcePathStyle: this.config.S3_FORCE_PATH_STYLE,
      });
      this.buckets.set(name, store);
    }
    return store;
  }
}

export function archiveLimits(config: IngestionConfig): ArchiveLimits {
  return {
    maxEntryBytes: config.IMPORT_MAX_ENTRY_BYTES,
    maxCompressionRatio: config.IMPORT_MAX_COMPRESSION_RATIO,
    maxEntries: config.IMPORT_MAX_ENTRIES,
    maxTotalBytes: config.IMPORT_MAX_TOTAL_BYTES,
  };
}

/**
 * The entries of an import's source, in a stable order: a zip read by ranges (its index is at the
 * end), a tar streamed front to back, or a prefix's objects in key order. Nothing is read whole.
 */
export async function* sourceEntries(
  at: SourceLocation,
  format: string,
  limits: ArchiveLimits,
): AsyncGenerator<ArchiveEntry> {
  if (format === 'prefix') {
    yield* prefixEntries(at, limits);
    return;
  }
  if (format === 'zip') {
    const head = await at.store.head(at.key);
    if (!head) throw new Error(`the archive ${at.key} is gone from storage`);
    yield* readArchive(
      {
        format: 'zip',
        source: { size: head.size, read: (start, end) => at.store.getRange(at.key, start, end) },
      },
      limits,
    );
    return;
  }
  yield* readArchive({ format: format as 'tar' | 'tar.gz', stream: await at.store.getStream(at.key) }, limits);
}

/** Each object under the prefix is an entry, under the same rules as an archive's (names, sizes, nesting). */
async function* prefixEntries(at: SourceLocation, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  const screen = new EntryScreen(limits);
  const prefix = at.key && !at.key.endsWith('/') ? `${at.key}/` : at.key;
  for await (const object of at.store.list(prefix)) {
    if (object.key.endsWith('/')) continue; // folder markers some tools write
    let source: PassThrough | undefined;
    let body: Readable | undefined;
    let discarded = false;
    const { entry, settle } = screen.screen(
      { rawName: object.key.slice(prefix.length), kind: 'file', declaredSize: object.size },
      {
        pipeTo(into: Writable) {
          source = new PassThrough();
          source.pipe(into);
          at.store.getStream(object.key).then(
            (s) => {
              body = s;
              if (discarded) return void s.destroy();
              s.on('error', (e) => into.destroy(e)).pipe(source!);
            },
            (e: Error) => into.destroy(e),
          );
        },
        // The caller stopped reading: the S3 response is closed, not drained.
        discard: async () => {
          discarded = true;
          body?.destroy();
          source?.destroy();
        },
      },
    );
    yield entry;
    await settle();
  }
}
