import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { EntryGuard, GuardOptions } from './entry-guard';
import { ArchiveCorruptError, EntryRefusedError } from './errors';
import { LIMITS, readAll } from './testing/collect';

const MB = 1024 * 1024;

async function through(chunks: Buffer[], opts: Partial<GuardOptions>) {
  const guard = new EntryGuard({ limits: LIMITS, budget: { used: 0 }, ...opts });
  let delivered = 0;
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) delivered += chunk.length;
  };
  const error = await pipeline(Readable.from(chunks), guard, sink).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error: error as EntryRefusedError | ArchiveCorruptError | undefined, delivered };
}

const chunks = (count: number, size: number, fill = 1) => Array.from({ length: count }, () => Buffer.alloc(size, fill));

describe('EntryGuard', () => {
  it('passes an entry through untouched', async () => {
    const data = Buffer.from('x'.repeat(1000));
    const guard = new EntryGuard({ limits: LIMITS, budget: { used: 0 }, declaredSize: 1000, crc32: crc32(data) });
    expect(await readAll(Readable.from([data.subarray(0, 10), data.subarray(10)]).pipe(guard))).toEqual(data);
  });

  it('stops at the entry limit before the chunk that passes it reaches the caller', async () => {
    const { error, delivered } = await through(chunks(20, MB), {});
    expect(error).toMatchObject({ code: 'entry-too-large' });
    expect(delivered).toBeLessThanOrEqual(LIMITS.maxEntryBytes);
  });

  it('stops at the declared size: a header that lies', async () => {
    const { error, delivered } = await through(chunks(10, 1000), { declaredSize: 2500 });
    expect(error).toMatchObject({ code: 'entry-too-large' });
    expect(delivered).toBeLessThanOrEqual(2500);
  });

  it('stops at the compression ratio while inflating', async () => {
    const { error } = await through(chunks(5, MB), { compressedSize: 10_000 });
    expect(error).toBeInstanceOf(EntryRefusedError);
    expect(error).toMatchObject({ code: 'compression-ratio' });
  });

  it('stops when the archive passes its total budget, across entries', async () => {
    const budget = { used: LIMITS.maxTotalBytes - 1000 };
    const { error } = await through(chunks(3, 1000), { budget });
    expect(error).toMatchObject({ code: 'total-too-large' });
  });

  it('refuses an entry that starts like an archive, short or long', async () => {
    const gzip = Buffer.from([0x1f, 0x8b, 8, 0]);
    expect((await through([gzip], {})).error).toMatchObject({ code: 'nested-archive' });
    const { error, delivered } = await through([Buffer.from('PK\x03\x04', 'latin1'), ...chunks(4, 100)], {});
    expect(error).toMatchObject({ code: 'nested-archive' });
    expect(delivered).toBe(0);
  });

  it('calls an entry that ends early or fails its CRC corrupt', async () => {
    expect((await through(chunks(1, 10), { declaredSize: 20 })).error).toBeInstanceOf(ArchiveCorruptError);
    expect((await through(chunks(1, 10), { crc32: 1234 })).error).toBeInstanceOf(ArchiveCorruptError);
    expect((await through([], { declaredSize: 0 })).error).toBeUndefined();
  });
});
