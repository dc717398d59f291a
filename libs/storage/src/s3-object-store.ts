import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import {
  assertValidKey,
  assertValidRange,
  ListedObject,
  ObjectInfo,
  ObjectNotFoundError,
  ObjectStore,
  PutOptions,
} from './object-store';

/** S3's largest single PUT. */
const SINGLE_PUT_MAX = 5 * 1024 ** 3;

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Keys per ListObjectsV2 page (S3's default and maximum is 1000). */
  listPageSize?: number;
  /** A request whose socket stays silent this long fails (default 60 s). */
  socketTimeoutMs?: number;
}

/** S3 and S3-protocol servers (AWS, MinIO, s3rver). Streams go up as multipart uploads. */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      // With the SDK's default (WHEN_SUPPORTED) a streamed PutObject is sent aws-chunked with a
      // trailing CRC32, which S3-compatible servers that don't speak it (s3rver 3.7) store verbatim,
      // chunk headers included. WHEN_REQUIRED sends plain bodies; TLS and S3's own MD5 ETag remain.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // The SDK waits for ever by default: a stalled S3 endpoint would hold an upload or a job's
      // image read until the caller's own deadline. socketTimeout is idle time, not a cap on a transfer.
      requestHandler: { connectionTimeout: 10_000, socketTimeout: settings.socketTimeoutMs ?? 60_000 },
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
    });
  }

  async put(key: string, body: Buffer | Readable, opts: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    const params = { Bucket: this.settings.bucket, Key: key, Body: body, ContentType: opts.contentType };
    if (Buffer.isBuffer(body)) {
      await this.client.send(withPayloadHash(new PutObjectCommand(params), opts.sha256));
    } else if (opts.contentLength !== undefined && opts.contentLength <= SINGLE_PUT_MAX) {
      await this.client.send(
        withPayloadHash(new PutObjectCommand({ ...params, ContentLength: opts.contentLength }), opts.sha256),
      );
    } else {
      await new Upload({ client: this.client, params, queueSize: 2 }).done();
    }
  }

  async get(key: string): Promise<Buffer> {
    const stream = await this.getStream(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async getStream(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return out.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey || isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(start, endExclusive);
    // HTTP cannot ask for zero bytes; a HEAD still says whether the object exists.
    if (endExclusive === start) {
      if (!(await this.head(key))) throw new ObjectNotFoundError(key);
      return Readable.from([]);
    }
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` }),
      );
      return out.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey || isNotFound(error)) throw new ObjectNotFoundError(key);
      // 416: the range starts at or past the end of the object.
      if (httpStatus(error) === 416) return Readable.from([]);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, contentType: out.ContentType };
    } catch (error) {
      if (error instanceof NotFound || isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    // ListObjects (v1) paged by Marker = the last key seen: s3rver 3.7 answers 500 whenever a
    // ListObjectsV2 page is truncated (it cannot mint the continuation token), and v1 is still
    // supported by AWS and MinIO.
    let after: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListObjectsCommand({
          Bucket: this.settings.bucket,
          Prefix: prefix,
          Marker: after,
          MaxKeys: this.settings.listPageSize,
        }),
      );
      const contents = page.Contents ?? [];
      for (const o of contents) {
        if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      after = contents.at(-1)?.Key;
      if (!page.IsTruncated || !after) return;
    }
  }

  async presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    assertValidKey(key);
    const command = new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, ContentType: opts.contentType });
    return getSignedUrl(this.client as never, command as never, { expiresIn: opts.expiresInSeconds });
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  return httpStatus(error) === 404;
}

/**
 * Signs the PUT with a SHA-256 the caller computed already (SigV4's x-amz-content-sha256, which the
 * signer uses as given): no second pass over the bytes, and S3 refuses the PUT if what arrives
 * differs from what was hashed. Without it, buffers are hashed by the SDK and streams go unsigned.
 */
function withPayloadHash(command: PutObjectCommand, sha256: string | undefined): PutObjectCommand {
  if (!sha256) return command;
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('sha256 must be 64 lowercase hex digits');
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'dgPrecomputedPayloadHash' },
  );
  return command;
}
