import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelManifestSchema, verifyManifest } from './manifest';

/** The part of an object store a model download needs. */
export interface ModelObjectReader {
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
}

export interface ResolveModelOptions {
  cacheDir: string;
  /** Opens the bucket named in an s3:// URI with the deployment's S3 settings. */
  openBucket(bucket: string): ModelObjectReader;
  log?: (msg: string) => void;
}

/**
 * Where the engine loads from: a local folder as is, or an `s3://bucket/prefix` downloaded once
 * into the cache. The cache folder is named by the manifest's hash, so a new model version never
 * mixes with the old one; a download lands in a temporary folder, is verified file by file against
 * the manifest, and only then is renamed into place (two workers racing both end with a good copy).
 */
export async function resolveModelDir(source: string, opts: ResolveModelOptions): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(source);
  if (!match) return source;
  const [, bucket, rawPrefix] = match as unknown as [string, string, string];
  const prefix = rawPrefix.replace(/\/+$/, '');
  const key = (path: string) => (prefix ? `${prefix}/${path}` : path);
  const store = opts.openBucket(bucket);

  const manifestBytes = await store.get(key('manifest.json'));
  const manifest = ModelManifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
  const target = join(opts.cacheDir, createHash('sha256').update(manifestBytes).digest('hex').slice(0, 24));
  if (existsSync(join(target, '.complete'))) return target;

  const staging = `${target}.${randomUUID()}.partial`;
  try {
    for (const f of manifest.files) {
      const dest = join(staging, f.path);
      await mkdir(dirname(dest), { recursive: true });
      opts.log?.(`downloading ${source}/${f.path} (${f.bytes} bytes)`);
      await pipeline(await store.getStream(key(f.path)), createWriteStream(dest));
    }
    await writeFile(join(staging, 'manifest.json'), manifestBytes);
    await verifyManifest(staging, manifest);
    await writeFile(join(staging, '.complete'), new Date().toISOString());
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same download first: its verified copy is as good as ours.
      if (!existsSync(join(target, '.complete'))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}
