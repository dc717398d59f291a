import { gzipSync } from 'node:zlib';
import { detectArchiveFormat, nestedArchiveKind } from './archive-format';
import { buildTar } from './testing/build-tar';
import { buildZip } from './testing/build-zip';

describe('detectArchiveFormat', () => {
  it('knows zip, empty zip, tar.gz and tar by their magic bytes only', async () => {
    const zip = await buildZip([{ name: 'a.txt', data: Buffer.from('a') }]);
    const emptyZip = await buildZip([]);
    const tar = await buildTar([{ name: 'a.txt', data: Buffer.from('a') }]);
    expect(detectArchiveFormat(zip)).toBe('zip');
    expect(emptyZip.subarray(0, 4)).toEqual(Buffer.from('PK\x05\x06', 'latin1'));
    expect(detectArchiveFormat(emptyZip)).toBe('zip');
    expect(detectArchiveFormat(tar)).toBe('tar');
    expect(detectArchiveFormat(gzipSync(tar))).toBe('tar.gz');
    expect(detectArchiveFormat(Buffer.from('just text, named archive.zip'))).toBeUndefined();
    expect(detectArchiveFormat(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('nestedArchiveKind', () => {
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(300)]);
  it.each([
    ['zip', Buffer.from('PK\x03\x04', 'latin1')],
    ['zip', Buffer.from('PK\x07\x08', 'latin1')],
    ['gzip', Buffer.from([0x1f, 0x8b, 8])],
    ['bzip2', Buffer.from('BZh91AY&SY', 'latin1')],
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
    ['7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
    ['rar', Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1')],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ])('names %s', (kind, magic) => {
    expect(nestedArchiveKind(pad(magic))).toBe(kind);
  });

  it('names a tar by its ustar magic and leaves images and text alone', async () => {
    expect(nestedArchiveKind(await buildTar([{ name: 'x', data: Buffer.from('x') }]))).toBe('tar');
    expect(nestedArchiveKind(pad(Buffer.from([0xff, 0xd8, 0xff, 0xe0])))).toBeUndefined();
    expect(nestedArchiveKind(Buffer.from('BZh is how this note starts'))).toBeUndefined();
  });
});
