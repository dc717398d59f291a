import sharp from 'sharp';
import { CorruptImageError, ImageTooLargeError, UnsupportedImageError } from './image-codec';
import { SharpImageCodec } from './sharp-image-codec';

const codec = new SharpImageCodec({ maxPixels: 50_000_000 });

describe('SharpImageCodec.normalize', () => {
  it('makes an 896x896 PNG derivative with no metadata, auto-oriented', async () => {
    // 300x100 stored with EXIF orientation 6 (rotate 90°): the upright image is 100x300.
    const jpeg = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#c04020' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'Dr. Who', Artist: 'Patient Jane Doe' } } })
      .toBuffer();
    const out = await codec.normalize(jpeg);
    expect(out).toMatchObject({
      format: 'jpeg',
      width: 100,
      height: 300,
      grayscale: false,
      modalityGuess: 'intraoral-photo',
    });
    const meta = await sharp(out.derivative).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 896, height: 896, channels: 3 });
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(out.derivative.includes(Buffer.from('Jane Doe'))).toBe(false);
    expect(out.transform.targetHeight).toBe(896);
  });

  it('brings CMYK and wide-gamut photos to sRGB pixels the model reads as the same colour', async () => {
    const red = { r: 200, g: 40, b: 30 };
    const photo = () => sharp({ create: { width: 400, height: 300, channels: 3, background: red } });
    const cmyk = await photo().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const p3 = await photo().withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
    const centre = async (input: Buffer) => {
      const out = await codec.normalize(input);
      const { data, info } = await sharp(out.derivative)
        .extract({ left: 448, top: 448, width: 1, height: 1 })
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(3);
      return [...data];
    };
    // Display P3 holds this red exactly: back in sRGB it is the same colour.
    const [r, g, b] = await centre(p3);
    expect(Math.abs(r! - red.r) + Math.abs(g! - red.g) + Math.abs(b! - red.b)).toBeLessThan(10);
    // CMYK (print) cannot: still an unmistakable red in sRGB, not four channels or inverted ink.
    const [cr, cg, cb] = await centre(cmyk);
    expect(cr).toBeGreaterThan(170);
    expect(Math.max(cg!, cb!)).toBeLessThan(80);
  });

  it('reads a 16-bit grey panoramic as a grey panoramic', async () => {
    const tiff = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#777' } })
      .toColourspace('grey16')
      .tiff()
      .toBuffer();
    const out = await codec.normalize(tiff);
    expect(out).toMatchObject({ format: 'tiff', grayscale: true, modalityGuess: 'panoramic' });
  });

  it('refuses unsupported, corrupt and oversized input with typed errors', async () => {
    await expect(codec.normalize(Buffer.from('not an image'))).rejects.toBeInstanceOf(UnsupportedImageError);
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await expect(codec.normalize(png.subarray(0, 60))).rejects.toBeInstanceOf(CorruptImageError);
    const big = new SharpImageCodec({ maxPixels: 1000 });
    await expect(big.normalize(png)).rejects.toBeInstanceOf(ImageTooLargeError);
  });

  it('is deterministic: the same bytes give the same derivative', async () => {
    const png = await sharp({ create: { width: 500, height: 300, channels: 3, background: '#345' } })
      .png()
      .toBuffer();
    const [a, b] = await Promise.all([codec.normalize(png), codec.normalize(png)]);
    expect(a.derivative.equals(b.derivative)).toBe(true);
  });
});
