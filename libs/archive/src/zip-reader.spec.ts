import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ArchiveEntry } from './archive-entry';
import { ArchiveCorruptError, EntryRefusedError } from './errors';
import { fileSource, RandomAccessSource } from './random-access-source';
import { readArchive } from './read-archive';
import { buildRawZip, buildZip } from './testing/build-zip';
import { collect, LIMITS, readAll } from './testing/collect';

const MB = 1024 * 1024;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-archive-zip-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function zipFile(bytes: Buffer): Promise<RandomAccessSource> {
  const path = join(dir, `${n++}.zip`);
  await writeFile(path, bytes);
  return fileSource(path);
}
const read = async (bytes: Buffer, limits = LIMITS) =>
  collect(readArchive({ format: 'zip', source: await zipFile(bytes) }, limits));

/** An in-memory source that counts its reads. */
function memorySource(bytes: Buffer, reads: [number, number][] = []): RandomAccessSource {
  return {
    size: bytes.length,
    read: async (start, end) => {
      reads.push([start, end]);
      return Readable.from([bytes.subarray(start, end)]);
    },
  };
}

describe('readArchive (zip)', () => {
  it('yields files in central-directory order with stable indexes, skipping directories', async () => {
    const bytes = await buildZip([
      { name: 'scans/', dir: true },
      { name: 'scans/b.jpg', data: Buffer.from('bbb') },
      { name: 'a.jpg', data: Buffer.alloc(300_000, 7) },
      { name: 'notes/empty.txt' },
      { name: 'raw.bin', data: Buffer.from('stored'), compress: false },
    ]);
    const first = await read(bytes);
    expect(first.map((e) => [e.index, e.name, e.path, e.refused, e.data?.length])).toEqual([
      [0, 'scans/b.jpg', 'scans/b.jpg', undefined, 3],
      [1, 'a.jpg', 'a.jpg', undefined, 300_000],
      [2, 'notes/empty.txt', 'notes/empty.txt', undefined, 0],
      [3, 'raw.bin', 'raw.bin', undefined, 6],
    ]);
    expect(first.every((e) => e.error === undefined)).toBe(true);
    expect(first[1]!.data).toEqual(Buffer.alloc(300_000, 7));
    const again = await read(bytes);
    expect(again.map((e) => [e.index, e.name])).toEqual(first.map((e) => [e.index, e.name]));
  });

  it('reads an empty zip', async () => {
    expect(await read(await buildZip([]))).toEqual([]);
  });

  it('refuses hostile names one by one and goes on with the rest', async () => {
    const ok = (name: string) => ({ name, data: Buffer.from(name) });
    const entries = await read(
      buildRawZip([
        ok('../evil.jpg'),
        ok('scans/../../evil.jpg'),
        ok('..\\..\\evil.jpg'),
        ok('/etc/cron.d/x'),
        ok('\\evil.jpg'),
        ok('C:/Windows/evil.jpg'),
        ok('a\u0000b.jpg'),
        ok('a\u001b[31mb.jpg'),
        ok('good.jpg'),
      ]),
    );
    expect(entries.map((e) => [e.index, e.refused])).toEqual([
      [0, 'path-traversal'],
      [1, 'path-traversal'],
      [2, 'path-traversal'],
      [3, 'absolute-path'],
      [4, 'absolute-path'],
      [5, 'absolute-path'],
      [6, 'invalid-name'],
      [7, 'invalid-name'],
      [8, undefined],
    ]);
    expect(entries[6]!.name).toBe('a\\u0000b.jpg');
    expect(entries[8]!.data?.toString()).toBe('good.jpg');
  });

  it('refuses links, special files, encrypted entries and unknown compression, without reading them', async () => {
    const entries = await read(
      buildRawZip([
        { name: 'link.jpg', data: Buffer.from('/etc/passwd'), externalAttributes: (0o120777 << 16) >>> 0 },
        { name: 'fifo', externalAttributes: (0o010644 << 16) >>> 0 },
        { name: 'secret.jpg', data: Buffer.from('x'), flags: 0x1, method: 0 },
        { name: 'bzip2.jpg', data: Buffer.from('x'), method: 12 },
        { name: 'dos.jpg', data: Buffer.from('dos'), externalAttributes: 0x20 },
      ]),
    );
    expect(entries.map((e) => [e.name, e.refused])).toEqual([
      ['link.jpg', 'symlink'],
      ['fifo', 'special-file'],
      ['secret.jpg', 'encrypted'],
      ['bzip2.jpg', 'unsupported-compression'],
      ['dos.jpg', undefined],
    ]);
  });

  it('refuses the second and later entries with the same normalized path', async () => {
    const entries = await read(
      buildRawZip([
        { name: 'a.jpg', data: Buffer.from('1') },
        { name: './a.jpg', data: Buffer.from('2') },
        { name: 'x/../a.jpg', data: Buffer.from('3') },
        { name: 'A.jpg', data: Buffer.from('4') },
      ]),
    );
    expect(entries.map((e) => e.refused)).toEqual([undefined, 'duplicate-name', 'duplicate-name', undefined]);
    expect(entries[0]!.data?.toString()).toBe('1');
  });

  it('refuses entries past maxEntries, still listing them', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `${i}.jpg`, data: Buffer.from('x') }));
    const entries = await read(await buildZip(files), { ...LIMITS, maxEntries: 3 });
    expect(entries.map((e) => [e.index, e.refused])).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
      [3, 'too-many-entries'],
      [4, 'too-many-entries'],
    ]);
  });

  it('refuses by declared size, entry and total, before reading', async () => {
    const entries = await read(
      await buildZip([
        { name: 'big.bin', data: Buffer.alloc(3 * MB, 1) },
        { name: 'a.bin', data: Buffer.alloc(MB, 2) },
        { name: 'b.bin', data: Buffer.alloc(MB, 3) },
      ]),
      { ...LIMITS, maxEntryBytes: 2 * MB, maxTotalBytes: 1.5 * MB },
    );
    expect(entries.map((e) => [e.name, e.refused])).toEqual([
      ['big.bin', 'entry-too-large'],
      ['a.bin', undefined],
      ['b.bin', 'total-too-large'],
    ]);
  });

  describe('a zip bomb (50 MB of zeros)', () => {
    let bomb: Buffer;
    beforeAll(async () => {
      bomb = await buildZip([{ name: 'zeros.bin', data: Buffer.alloc(50 * MB) }]);
      expect(bomb.length).toBeLessThan(MB);
    });

    it('is refused from its declared size, never opened', async () => {
      const [entry] = await read(bomb);
      expect(entry!.refused).toBe('entry-too-large');
      expect(entry!.data).toBeUndefined();
    });

    it('is refused from its declared ratio under a larger entry limit', async () => {
      const [entry] = await read(bomb, { ...LIMITS, maxEntryBytes: 100 * MB });
      expect(entry!.refused).toBe('compression-ratio');
      expect(entry!.data).toBeUndefined();
    });

    it('with a header that lies (declares 100 KB), is stopped while inflating', async () => {
      const zeros = Buffer.alloc(50 * MB);
      const lying = buildRawZip([{ name: 'zeros.bin', data: zeros, declaredSize: 100_000 }]);
      const [entry] = await read(lying);
      expect(entry!.refused).toBeUndefined();
      expect(entry!.error).toBeInstanceOf(EntryRefusedError);
      expect(entry!.error).toMatchObject({ code: 'entry-too-large' });
      expect(entry!.data!.length).toBeLessThanOrEqual(100_000);
    });
  });

  it('refuses a zip inside the zip as a nested archive', async () => {
    const inner = await buildZip([{ name: 'inner.jpg', data: Buffer.from('x') }]);
    const entries = await read(
      await buildZip([
        { name: 'inner.zip', data: inner },
        { name: 'renamed.jpg', data: inner, compress: false },
        { name: 'ok.jpg', data: Buffer.from('ok') },
      ]),
    );
    expect(entries.map((e) => (e.error as EntryRefusedError | undefined)?.code)).toEqual([
      'nested-archive',
      'nested-archive',
      undefined,
    ]);
    expect(entries[0]!.data).toEqual(Buffer.alloc(0));
  });

  it('throws ArchiveCorruptError for a truncated zip and for one that is not a zip', async () => {
    const bytes = await buildZip([{ name: 'a.jpg', data: Buffer.alloc(100_000, 1) }]);
    await expect(read(bytes.subarray(0, bytes.length / 2))).rejects.toBeInstanceOf(ArchiveCorruptError);
    await expect(read(Buffer.from('PK\x03\x04 but nothing else', 'latin1'))).rejects.toThrow(/broken zip/);
  });

  it('errors the entry stream with ArchiveCorruptError when its data is broken', async () => {
    const data = Buffer.from('hello '.repeat(100));
    const badDeflate = buildRawZip([{ name: 'a.txt', data }]);
    // Corrupt the deflate stream right after the local header.
    const at = 30 + 'a.txt'.length;
    badDeflate.fill(0xff, at, at + 8);
    const badCrc = buildRawZip([{ name: 'b.txt', data, method: 0, crc: 12345 }]);
    const [deflated] = await read(badDeflate);
    const [stored] = await read(badCrc);
    expect(deflated!.error).toBeInstanceOf(ArchiveCorruptError);
    expect(stored!.error).toBeInstanceOf(ArchiveCorruptError);
  });

  it('passes I/O errors of the source through as they are (retryable, not corrupt)', async () => {
    const bytes = await buildZip([{ name: 'a.jpg', data: Buffer.from('a') }]);
    const failing: RandomAccessSource = {
      size: bytes.length,
      read: async () => Promise.reject(new Error('ECONNRESET')),
    };
    const error = await collect(readArchive({ format: 'zip', source: failing }, LIMITS)).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ArchiveCorruptError);
    expect(error).toMatchObject({ message: 'ECONNRESET' });
  });

  it('reads a central directory of many entries in few source reads', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({ name: `scans/${i}.jpg`, data: Buffer.from(`${i}`) }));
    const bytes = await buildZip(files);
    const reads: [number, number][] = [];
    let count = 0;
    for await (const e of readArchive({ format: 'zip', source: memorySource(bytes, reads) }, LIMITS)) {
      count++;
      await e.skip();
    }
    expect(count).toBe(300);
    expect(reads.length).toBeLessThan(10);
  });

  it('destroys an entry stream the caller left unread when it pulls the next entry', async () => {
    const bytes = await buildZip([
      { name: 'a.bin', data: Buffer.alloc(MB, 1) },
      { name: 'b.bin', data: Buffer.from('b') },
    ]);
    const entries = readArchive({ format: 'zip', source: await zipFile(bytes) }, LIMITS);
    const a = (await entries.next()).value as ArchiveEntry;
    const stream = a.open!();
    const b = (await entries.next()).value as ArchiveEntry;
    expect(stream.destroyed).toBe(true);
    expect((await readAll(b.open!())).toString()).toBe('b');
    expect((await entries.next()).done).toBe(true);
  });
});
