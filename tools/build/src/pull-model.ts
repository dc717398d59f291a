/**
 * The worker's model init container (k8s `model.source: s3`): copies a model folder from S3 into
 * MODEL_DIR and proves every byte against the folder's `manifest.json` (the SHA-256 and size of each
 * file, written by tools/model's export) before the worker may start. Nothing is baked into the image.
 *
 *  - MODEL_MANIFEST_SHA256, when set, pins the manifest itself, so a tampered or swapped manifest in
 *    the bucket fails too (the chain of trust then starts at the Helm values, not at the bucket).
 *  - Files already present with the right digest are kept, so a restart on a persistent volume
 *    downloads only what is missing or damaged.
 *  - Each file is streamed to `<name>.part`, hashed on the way, and renamed only when it matches:
 *    a crash never leaves a file that looks complete.
 *  - A manifest that says `"tiny": true` (the test model, which must never serve a clinician) is
 *    refused unless MODEL_ALLOW_TINY=true (dev overlay and tests).
 *
 * Env: MODEL_DIR, MODEL_S3_BUCKET, MODEL_S3_PREFIX, S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE,
 * S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY (or the SDK's default chain: IRSA, instance profile).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ModelManifest {
  model_id: string;
  tiny?: boolean;
  revision?: string;
  files: ManifestFile[];
}

export interface PullModelOptions {
  client: S3Client;
  bucket: string;
  prefix: string;
  modelDir: string;
  manifestSha256?: string;
  allowTiny?: boolean;
  log?: (line: string) => void;
}

export class ModelPullError extends Error {
  override name = 'ModelPullError';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function parseManifest(raw: Buffer): ModelManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ModelPullError(`manifest.json is not JSON: ${(error as Error).message}`);
  }
  const m = parsed as Partial<ModelManifest>;
  if (typeof m.model_id !== 'string' || !Array.isArray(m.files) || m.files.length === 0)
    throw new ModelPullError('manifest.json needs model_id and a non-empty files list');
  for (const f of m.files) {
    // A path from the bucket must never write outside MODEL_DIR.
    const clean = typeof f?.path === 'string' ? normalize(f.path) : '';
    if (!clean || isAbsolute(clean) || clean.startsWith('..') || clean === 'manifest.json')
      throw new ModelPullError(`manifest.json lists an unsafe path: ${JSON.stringify(f?.path)}`);
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 0 || typeof f.sha256 !== 'string' || !SHA256_HEX.test(f.sha256))
      throw new ModelPullError(`manifest.json entry ${f.path} needs bytes and a sha256 hex digest`);
  }
  return m as ModelManifest;
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function getObject(client: S3Client, bucket: string, key: string): Promise<Readable> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new ModelPullError(`s3://${bucket}/${key} has no body`);
  return res.Body as Readable;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function pullModel(opts: PullModelOptions): Promise<{ downloaded: string[]; kept: string[] }> {
  const log = opts.log ?? (() => undefined);
  const key = (rel: string) => (opts.prefix ? `${opts.prefix.replace(/\/+$/, '')}/${rel}` : rel);

  const manifestRaw = await readAll(await getObject(opts.client, opts.bucket, key('manifest.json')));
  if (opts.manifestSha256 && sha256(manifestRaw) !== opts.manifestSha256.toLowerCase())
    throw new ModelPullError(
      `manifest.json digest ${sha256(manifestRaw)} does not match MODEL_MANIFEST_SHA256 ${opts.manifestSha256}`,
    );
  const manifest = parseManifest(manifestRaw);
  if (manifest.tiny && !opts.allowTiny)
    throw new ModelPullError(
      'manifest.json is the tiny test model ("tiny": true); set MODEL_ALLOW_TINY=true to allow it',
    );

  await mkdir(opts.modelDir, { recursive: true });
  const downloaded: string[] = [];
  const kept: string[] = [];
  for (const file of manifest.files) {
    const dest = join(opts.modelDir, file.path);
    if (existsSync(dest) && (await stat(dest)).size === file.bytes && (await fileDigest(dest)) === file.sha256) {
      kept.push(file.path);
      continue;
    }
    await mkdir(dirname(dest), { recursive: true });
    const part = `${dest}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const started = Date.now();
    await pipeline(await getObject(opts.client, opts.bucket, key(file.path)), tap, createWriteStream(part));
    const digest = hash.digest('hex');
    if (digest !== file.sha256 || bytes !== file.bytes) {
      await rm(part, { force: true });
      throw new ModelPullError(
        `${file.path}: got ${bytes} bytes with sha256 ${digest}, manifest says ${file.bytes} bytes ${file.sha256}`,
      );
    }
    await rename(part, dest);
    downloaded.push(file.path);
    log(`pulled ${file.path} (${bytes} bytes, ${Date.now() - started} ms)`);
  }
  // Written last: its presence means every file above was verified.
  await writeFile(join(opts.modelDir, 'manifest.json'), manifestRaw);
  log(`model ${manifest.model_id}: ${downloaded.length} downloaded, ${kept.length} already verified`);
  return { downloaded, kept };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ModelPullError(`${name} is not set`);
  return value;
}

export function clientFromEnv(env: NodeJS.ProcessEnv): S3Client {
  return new S3Client({
    region: env['S3_REGION'] || 'us-east-1',
    endpoint: env['S3_ENDPOINT'] || undefined,
    forcePathStyle: env['S3_FORCE_PATH_STYLE'] === 'true' || env['S3_FORCE_PATH_STYLE'] === '1',
    credentials:
      env['S3_ACCESS_KEY_ID'] && env['S3_SECRET_ACCESS_KEY']
        ? { accessKeyId: env['S3_ACCESS_KEY_ID'], secretAccessKey: env['S3_SECRET_ACCESS_KEY'] }
        : undefined,
  });
}

async function main(): Promise<void> {
  const env = process.env;
  const client = clientFromEnv(env);
  try {
    await pullModel({
      client,
      bucket: required(env, 'MODEL_S3_BUCKET'),
      prefix: env['MODEL_S3_PREFIX'] ?? '',
      modelDir: required(env, 'MODEL_DIR'),
      manifestSha256: env['MODEL_MANIFEST_SHA256'] || undefined,
      allowTiny: env['MODEL_ALLOW_TINY'] === 'true',
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    client.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`pull-model: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
