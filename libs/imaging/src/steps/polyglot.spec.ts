import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageRejectedError } from '../image-codec';
import { assertCleanDicomPreamble, assertPngEndsAtIend } from './polyglot';

describe('polyglot checks', () => {
  let png: Buffer;
  beforeAll(async () => {
    png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#345' } })
      .png()
      .toBuffer();
  });
  const onDisk = async (bytes: Buffer) => {
    const path = join(await mkdtemp(join(tmpdir(), 'dg-poly-')), 'f.png');
    await writeFile(path, bytes);
    return path;
  };

  it('passes a PNG that ends at IEND, in memory and on disk', async () => {
    await expect(assertPngEndsAtIend(png)).resolves.toBeUndefined();
    await expect(assertPngEndsAtIend(await onDisk(png))).resolves.toBeUndefined();
  });

  it('refuses a PNG with anything after IEND, in memory and on disk', async () => {
    const zip = Buffer.concat([png, Buffer.from('PK\x03\x04 archive follows', 'latin1')]);
    await expect(assertPngEndsAtIend(zip)).rejects.toMatchObject({ code: 'trailing_data' });
    await expect(assertPngEndsAtIend(await onDisk(zip))).rejects.toBeInstanceOf(ImageRejectedError);
  });

  it('leaves a PNG cut short to the decoder', async () => {
    await expect(assertPngEndsAtIend(png.subarray(0, png.length - 20))).resolves.toBeUndefined();
  });

  it('passes an empty or TIFF preamble, refuses a document or program in it', () => {
    const preamble = (text: string) =>
      Buffer.concat([Buffer.from(text.padEnd(128, '\0'), 'latin1'), Buffer.from('DICM')]);
    expect(() => assertCleanDicomPreamble(preamble(''))).not.toThrow();
    expect(() => assertCleanDicomPreamble(preamble('II*\0\x08\0\0\0'))).not.toThrow();
    for (const foreign of ['%PDF-1.7', 'PK\x03\x04', '<HTML><body>', 'MZ\x90\0', '\x7fELF\x02'])
      expect(() => assertCleanDicomPreamble(preamble(foreign))).toThrow(/polyglot/);
  });
});
