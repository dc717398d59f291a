import type { Readable } from 'node:stream';
import type { ObjectStore, PutOptions } from '@dg/storage';

/** A real store that fails the Nth put (1-based) from when it is armed: storage dying midway. */
export class FailingObjectStore implements ObjectStore {
  private puts = 0;
  private failAt = 0;

  constructor(private readonly inner: ObjectStore) {}

  failOnPut(n: number): void {
    this.puts = 0;
    this.failAt = n;
  }

  async put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<void> {
    this.puts++;
    if (this.failAt && this.puts === this.failAt) {
      this.failAt = 0;
      if (typeof body !== 'string' && 'resume' in body) body.resume();
      throw new Error(`injected storage failure on put #${this.puts} (${key})`);
    }
    return this.inner.put(key, body, opts);
  }
  get = (key: string) => this.inner.get(key);
  getStream = (key: string) => this.inner.getStream(key);
  getRange = (key: string, start: number, endExclusive: number) => this.inner.getRange(key, start, endExclusive);
  head = (key: string) => this.inner.head(key);
  delete = (key: string) => this.inner.delete(key);
  list = (prefix: string) => this.inner.list(prefix);
  presignPut = (key: string, opts: { expiresInSeconds: number }) => this.inner.presignPut(key, opts);
  ping = () => this.inner.ping();
}
