import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType?: string;
}

export interface ObjectInfo {
  size: number;
  contentType?: string;
}

/**
 * The object-storage port. Keys are relative, '/'-separated and never contain '..'; adapters
 * enforce that. A put is durable when its promise resolves: callers answer clients only after.
 */
export interface ObjectStore {
  put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<void>;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

const KEY = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  }
}
