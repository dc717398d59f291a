import sharp from 'sharp';
import type { LetterboxTransform } from '@dg/contracts';
import { isGrayscale } from './grayscale';

/** The image decoded once, oriented, 8-bit sRGB, resized to the letterbox's inner box. */
export interface FittedRaster {
  width: number;
  height: number;
  data: Buffer;
  grayscale: boolean;
}

export interface FitOptions {
  /** 16-bit grey data rarely uses the full range (12-bit sensors): stretch it instead of shifting. */
  stretch: boolean;
}

/**
 * Decode, auto-orient (EXIF), convert to 8-bit sRGB and resample in one libvips pipeline. Everything
 * after works on this small raster, so the original is decoded only once and never held whole in JS.
 */
export async function fitRaster(input: sharp.Sharp, t: LetterboxTransform, opts: FitOptions): Promise<FittedRaster> {
  let img = input.autoOrient();
  if (opts.stretch) img = img.normalise();
  const { data, info } = await img
    .resize(t.targetWidth, t.targetHeight, { fit: 'fill', kernel: 'lanczos3' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after sRGB conversion, got ${info.channels}`);
  return { width: info.width, height: info.height, data, grayscale: isGrayscale(data, 3) };
}
