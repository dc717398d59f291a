import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { ArchiveEntry } from './archive-entry';
import { ArchiveCorruptError, EntryRefusedError } from './errors';
import { readArchive } from './read-archive';
import { buildTar, TarFile } from './testing/build-tar';
import { collect, LIMITS, readAll } from './testing/collect';

const MB = 1024 * 1024;
const file = (name: string, data: Buffer | string = name): TarFile => ({ name, data: Buffer.from(data) });
const readTar = (bytes: Buffer, limits = LIMITS) =>
  collect(readArchive({ format: 'tar', stream: Readable.from([bytes]) }, limits));
const readTarGz = (bytes: Buffer, limits = LIMITS) =>
  collect(readArchive({ format: 'tar.gz', stream: Readable.from([bytes]) }, limits));

describe('readArchive (tar, tar.gz)', () => {
  const sample = () =>
    buildTar([
      { name: 'scans', type: 'directory' },
      file('scans/b.jpg', 'bbb'),
      { name: 'a.bin', data: Buffer.alloc(200_000, 7) },
      file('notes/empty.txt', ''),
    ]);

  it('yields files in archive order with stable indexes, tar and tar.gz alike', async () => {
    const tar = await sample();
    const plain = await readTar(tar);
    expect(plain.map((e) => [e.index, e.name, e.refused, e.data?.length, e.error])).toEqual([
      [0, 'scans/b.jpg', undefined, 3, undefined],
      [1, 'a.bin', undefined, 200_000, undefined],
      [2, 'notes/empty.txt', undefined, 0, undefined],
    ]);
    expect(plain[1]!.data).toEqual(Buffer.alloc(200_000, 7));
    const gz = await readTarGz(gzipSync(tar));
    expect(gz.map((e) => [e.index, e.name, e.data?.length])).toEqual(
      plain.map((e) => [e.index, e.name, e.data?.length]),
    );
    const again = await readTarGz(gzipSync(tar));
    expect(again.map((e) => [e.index, e.name])).toEqual(gz.map((e) => [e.index, e.name]));
  });

  it('refuses hostile names, links and special files, and goes on', async () => {
    const entries = await readTar(
      await buildTar([
        file('../evil.jpg'),
        file('a/../../evil.jpg'),
        file('..\\evil.jpg'),
        file('/etc/passwd'),
        file('C:\\evil.jpg'),
        file('bad\u0007name.jpg'),
        { name: 'link.jpg', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'hard.jpg', type: 'link', linkname: 'good.jpg' },
        { name: 'tty', type: 'character-device', devmajor: 4, devminor: 1 },
        { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: 'pipe', type: 'fifo' },
        file('good.jpg'),
      ]),
    );
    expect(entries.map((e) => e.refused)).toEqual([
      'path-traversal',
      'path-traversal',
      'path-traversal',
      'absolute-path',
      'absolute-path',
      'invalid-name',
      'symlink',
      'symlink',
      'special-file',
      'special-file',
      'special-file',
      undefined,
    ]);
    expect(entries.at(-1)!.data?.toString()).toBe('good.jpg');
  });

  it('refuses duplicates, too many entries and oversized entries, skipping their bytes', async () => {
    const entries = await readTar(
      await buildTar([
        file('a.jpg', '1'),
        file('./a.jpg', '2'),
        { name: 'big.bin', data: Buffer.alloc(2 * MB, 1) },
        file('b.jpg', 'b'),
        file('c.jpg', 'c'),
        file('d.jpg', 'd'),
      ]),
      { ...LIMITS, maxEntryBytes: MB, maxEntries: 5 },
    );
    expect(entries.map((e) => [e.index, e.name, e.refused, e.data?.toString()])).toEqual([
      [0, 'a.jpg', undefined, '1'],
      [1, './a.jpg', 'duplicate-name', undefined],
      [2, 'big.bin', 'entry-too-large', undefined],
      [3, 'b.jpg', undefined, 'b'],
      [4, 'c.jpg', undefined, 'c'],
      [5, 'd.jpg', 'too-many-entries', undefined],
    ]);
  });

  it('refuses entries past the total budget by their declared size', async () => {
    const entries = await readTar(
      await buildTar([
        { name: 'a.bin', data: Buffer.alloc(MB, 1) },
        { name: 'b.bin', data: Buffer.alloc(MB, 2) },
        file('c.txt', 'small'),
      ]),
      { ...LIMITS, maxTotalBytes: 1.5 * MB },
    );
    expect(entries.map((e) => e.refused)).toEqual([undefined, 'total-too-large', undefined]);
  });

  it('reads an empty tar and tar.gz, and refuses entry types it does not know', async () => {
    const empty = await buildTar([]);
    expect(await readTar(empty)).toEqual([]);
    expect(await readTarGz(gzipSync(empty))).toEqual([]);
    const sparse = await buildTar([file('a.jpg')]);
    // Typeflag 'S' (a GNU sparse file), with the header checksum fixed up.
    sparse[156] = 0x53;
    sparse.write('        ', 148, 'latin1');
    const sum = sparse.subarray(0, 512).reduce((a, b) => a + b, 0);
    sparse.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect((await readTar(sparse)).map((e) => e.refused)).toEqual(['special-file']);
  });

  it('refuses an archive inside the tar as a nested archive', async () => {
    const inner = gzipSync(await buildTar([file('x.jpg')]));
    const entries = await readTar(await buildTar([{ name: 'inner.tgz', data: inner }, file('ok.jpg')]));
    expect((entries[0]!.error as EntryRefusedError).code).toBe('nested-archive');
    expect(entries[1]!.data?.toString()).toBe('ok.jpg');
  });

  it('skips entries the caller neither read nor skipped, and ones it stopped reading', async () => {
    const tar = await buildTar([
      { name: 'a.bin', data: Buffer.alloc(MB, 1) },
      { name: 'b.bin', data: Buffer.alloc(MB, 2) },
      file('c.txt', 'c'),
    ]);
    const entries = readArchive({ format: 'tar', stream: Readable.from([tar]) }, LIMITS);
    const a = (await entries.next()).value as ArchiveEntry;
    await a.skip();
    expect(() => a.open!()).toThrow(/opened once/);
    const b = (await entries.next()).value as ArchiveEntry;
    const stream = b.open!();
    for await (const _chunk of stream) break;
    const c = (await entries.next()).value as ArchiveEntry;
    expect((await readAll(c.open!())).toString()).toBe('c');
    expect((await entries.next()).done).toBe(true);
  });

  it('throws ArchiveCorruptError for a truncated tar, a bad checksum, bad gzip, and gzip without a tar', async () => {
    const tar = await buildTar([{ name: 'a.bin', data: Buffer.alloc(100_000, 1) }, file('b.txt')]);
    const truncated = tar.subarray(0, 50_000);
    const badChecksum = Buffer.from(tar);
    badChecksum[0] = 0x41;
    const gz = gzipSync(tar);
    const badGzip = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(100, 0xff)]);
    const notTar = gzipSync(Buffer.from('a CSV, not a tar\n'.repeat(100)));

    const truncatedRead = await readTar(truncated).catch((e: unknown) => e);
    // The entry being read when the data runs out errors too.
    expect(truncatedRead).toBeInstanceOf(ArchiveCorruptError);
    await expect(readTar(badChecksum)).rejects.toThrow(ArchiveCorruptError);
    await expect(readTarGz(badGzip)).rejects.toThrow(/broken gzip/);
    await expect(readTarGz(gz.subarray(0, gz.length - 20))).rejects.toThrow(ArchiveCorruptError);
    await expect(readTarGz(notTar)).rejects.toThrow('the gzip stream does not hold a tar archive');
    await expect(readTar(Buffer.from('not a tar'))).rejects.toThrow('not a tar archive');
  });

  it('stops a tar.gz that inflates past the ratio as a whole, even inside refused entries', async () => {
    const bomb = gzipSync(await buildTar([{ name: 'zeros.bin', data: Buffer.alloc(60 * MB) }, file('after.txt')]));
    expect(bomb.length).toBeLessThan(MB);
    const error = await readTarGz(bomb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EntryRefusedError);
    expect(error).toMatchObject({ code: 'compression-ratio' });
  });
});
