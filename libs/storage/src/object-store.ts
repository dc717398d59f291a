import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType?: string;
  /**
   * The exact size of a stream body. With it, S3 takes the stream in one PUT without buffering
   * parts in memory (a multipart upload buffers 5 MB+ per part); without it, streams go multipart.
   */
  contentLength?: number;
  /**
   * The body's SHA-256 (hex) when the caller has it already. S3 signs and checks the payload by it,
   * so the store checks the bytes the caller hashed, without hashing them a second time.
   */
  sha256?: string;
}

export interface ObjectInfo {
  size: number;
  contentType?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * The object-storage port. Keys are relative, '/'-separated and never contain '..'; adapters
 * enforce that. A put is durable when its promise resolves: callers answer clients only after.
 */
export interface ObjectStore {
  put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  /**
   * The bytes in [start, endExclusive), cut short at the end of the object (empty past it). For
   * readers that need random access without downloading the object: a zip's index is at its end.
   */
  getRange(key: string, start: number, endExclusive: number): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in pages, without holding the whole listing. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /**
   * A URL a client can PUT the object's bytes to directly, valid for `expiresInSeconds`. Adapters
   * without such URLs (the filesystem) throw PresignUnsupportedError.
   */
  presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string>;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

export class PresignUnsupportedError extends Error {
  override readonly name = 'PresignUnsupportedError';
}

export function assertValidRange(start: number, endExclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endExclusive) || start < 0 || endExclusive < start) {
    throw new RangeError(`invalid byte range: ${start}-${endExclusive}`);
  }
}

const KEY = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  }
}
