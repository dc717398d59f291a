import sharp from 'sharp';
import { letterbox } from '../letterbox';
import { guessModality } from '../modality';
import { letterboxPng, THUMBNAIL_SIZE, thumbnailJpeg } from './derivatives';
import { fitRaster } from './fit-raster';
import { isGrayscale } from './grayscale';
import { SharpImageCodec } from '../sharp-image-codec';

describe('normalization steps', () => {
  it('isGrayscale tells grey RGB from colour', () => {
    expect(isGrayscale(Uint8Array.from([10, 10, 10, 200, 200, 201]), 3)).toBe(true);
    expect(isGrayscale(Uint8Array.from([200, 10, 10, 10, 200, 10]), 3)).toBe(false);
    expect(isGrayscale(Uint8Array.from([1, 2, 3]), 1)).toBe(true);
  });

  it('fitRaster auto-orients, converts 16-bit grey to 8-bit sRGB and fits the letterbox box', async () => {
    const grey16 = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#777' } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    const t = letterbox(400, 200);
    const r = await fitRaster(sharp(grey16), t, { stretch: true });
    expect([r.width, r.height, r.data.length]).toEqual([896, 448, 896 * 448 * 3]);
    expect(r.grayscale).toBe(true);
    const rotated = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#c04020' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const rr = await fitRaster(sharp(rotated), letterbox(100, 300), { stretch: false });
    expect([rr.width, rr.height, rr.grayscale]).toEqual([299, 896, false]);
  });

  it('letterboxPng pads to 896x896 at the recorded offsets; thumbnailJpeg stays small', async () => {
    const t = letterbox(400, 200);
    const raster = {
      width: t.targetWidth,
      height: t.targetHeight,
      data: Buffer.alloc(t.targetWidth * t.targetHeight * 3, 255),
      grayscale: true,
    };
    const png = await letterboxPng(raster, t);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([896, 896]);
    expect(data[0]).toBe(0); // padding
    expect(data[(t.offsetY * 896 + 10) * info.channels]).toBe(255); // first image row
    const thumb = await sharp(await thumbnailJpeg(raster)).metadata();
    expect(thumb).toMatchObject({ format: 'jpeg', width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE / 2 });
    expect(thumb.exif).toBeUndefined();
  });

  it('guessModality prefers the DICOM Modality tag, then the pixels', () => {
    expect(guessModality({ width: 100, height: 100, grayscale: true, dicomModality: 'PX' })).toBe('panoramic');
    expect(guessModality({ width: 100, height: 100, grayscale: true, dicomModality: 'XC' })).toBe('intraoral-photo');
    expect(guessModality({ width: 3000, height: 2400, grayscale: true, dicomModality: 'IO' })).toBe('periapical');
    expect(guessModality({ width: 2000, height: 1000, grayscale: true })).toBe('panoramic');
    expect(guessModality({ width: 800, height: 600, grayscale: false })).toBe('intraoral-photo');
    expect(guessModality({ width: 5000, height: 5000, grayscale: true, dicomModality: 'DX' })).toBe('other');
  });

  it('stores a grey raster as a one-channel derivative and decodes it as one channel; colour stays RGB', async () => {
    const codec = new SharpImageCodec();
    const greyPng = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#606060' } })
      .png()
      .toBuffer();
    const colourPng = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#c04020' } })
      .png()
      .toBuffer();
    const grey = await codec.normalize(greyPng);
    const colour = await codec.normalize(colourPng);
    expect((await sharp(grey.derivative).metadata()).channels).toBe(1);
    expect((await sharp(colour.derivative).metadata()).channels).toBe(3);
    const g = await codec.decodePixels(grey.derivative);
    const c = await codec.decodePixels(colour.derivative);
    expect([g.width, g.height, g.channels, g.data.length]).toEqual([896, 896, 1, 896 * 896]);
    expect([c.channels, c.data.length]).toEqual([3, 896 * 896 * 3]);
    // Inside the letterbox the grey value is the original's; the padding is black.
    expect(g.data[448 * 896 + 448]).toBe(0x60);
    expect(g.data[0]).toBe(0);
  });
});
