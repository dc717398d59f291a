import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsObjectStore } from './fs-object-store';
import { ObjectNotFoundError, ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';
import { testEnv } from '@dg/testing';

// The same behaviour, asserted against both adapters: the filesystem and a real S3 server.
const adapters: [string, () => Promise<ObjectStore>][] = [
  ['fs', async () => new FsObjectStore(await mkdtemp(join(tmpdir(), 'dg-fs-')))],
  [
    's3',
    async () => {
      const env = testEnv();
      return new S3ObjectStore({
        bucket: env.S3_BUCKET,
        region: 'us-east-1',
        endpoint: env.S3_ENDPOINT,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        forcePathStyle: true,
      });
    },
  ],
];

describe.each(adapters)('ObjectStore (%s)', (_name, make) => {
  let store: ObjectStore;
  const prefix = `spec-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    store = await make();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('puts, heads, gets and deletes a buffer', async () => {
    const key = `${prefix}/a/b.bin`;
    await store.put(key, Buffer.from('hello'), { contentType: 'application/octet-stream' });
    expect((await store.head(key))?.size).toBe(5);
    expect((await store.get(key)).toString()).toBe('hello');
    await store.delete(key);
    expect(await store.head(key)).toBeUndefined();
    await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('streams a large body in and out', async () => {
    const key = `${prefix}/big.bin`;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    await store.put(
      key,
      Readable.from(
        (function* () {
          for (let i = 0; i < 6; i++) yield chunk;
        })(),
      ),
    );
    expect((await store.head(key))?.size).toBe(6 * chunk.length);
    let total = 0;
    for await (const part of await store.getStream(key)) total += (part as Buffer).length;
    expect(total).toBe(6 * chunk.length);
  });

  it('refuses keys that climb out of the store', async () => {
    await expect(store.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid object key/);
    await expect(store.put('a//b', Buffer.from('x'))).rejects.toThrow(/invalid object key/);
  });
});
