import sharp from 'sharp';
import { detectFormat } from './detect-format';
import {
  CorruptImageError,
  ImageCodec,
  ImageTooLargeError,
  NormalizedImage,
  RgbImage,
  UnsupportedImageError,
} from './image-codec';
import { letterbox, MODEL_INPUT_SIZE } from './letterbox';
import { guessModality } from './modality';

export interface SharpCodecOptions {
  /** Refused before decoding, from the header alone (decompression bombs). */
  maxPixels: number;
}

export class SharpImageCodec implements ImageCodec {
  constructor(private readonly opts: SharpCodecOptions = { maxPixels: 100_000_000 }) {}

  async normalize(original: Buffer): Promise<NormalizedImage> {
    const detected = detectFormat(original.subarray(0, 1024));
    if (!detected.supported) {
      throw new UnsupportedImageError(detected.format, `unsupported image type: detected ${detected.format}`);
    }
    const meta = await this.metadata(original);
    const rotated = (meta.orientation ?? 1) >= 5;
    const width = rotated ? meta.height : meta.width;
    const height = rotated ? meta.width : meta.height;
    const t = letterbox(width, height);
    let derivative: Buffer;
    let grayscale: boolean;
    try {
      const input = () => sharp(original, { limitInputPixels: this.opts.maxPixels, failOn: 'error' });
      // 16-bit TIFFs and the like become 8-bit sRGB here; autoOrient applies the EXIF rotation, and
      // the output carries no metadata because withMetadata() is never called.
      derivative = await input()
        .autoOrient()
        .resize(t.targetWidth, t.targetHeight, { fit: 'fill', kernel: 'lanczos3' })
        .toColourspace('srgb')
        .removeAlpha()
        .extend({
          top: t.offsetY,
          left: t.offsetX,
          bottom: MODEL_INPUT_SIZE - t.targetHeight - t.offsetY,
          right: MODEL_INPUT_SIZE - t.targetWidth - t.offsetX,
          background: { r: 0, g: 0, b: 0 },
        })
        .png({ compressionLevel: 6 })
        .toBuffer();
      grayscale = await this.isGrayscale(input());
    } catch (error) {
      throw new CorruptImageError(`cannot decode ${detected.format}: ${(error as Error).message}`);
    }
    return {
      format: detected.format,
      width,
      height,
      grayscale,
      modalityGuess: guessModality({ width, height, grayscale }),
      derivative,
      transform: t,
    };
  }

  async decodeRgb(image: Buffer): Promise<RgbImage> {
    try {
      const { data, info } = await sharp(image, { limitInputPixels: this.opts.maxPixels, failOn: 'error' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
      return { width: info.width, height: info.height, data };
    } catch (error) {
      throw new CorruptImageError(`cannot decode image: ${(error as Error).message}`);
    }
  }

  private async metadata(original: Buffer) {
    let meta: sharp.Metadata;
    try {
      meta = await sharp(original, { limitInputPixels: false }).metadata();
    } catch (error) {
      throw new CorruptImageError(`cannot read image header: ${(error as Error).message}`);
    }
    if (!meta.width || !meta.height) throw new CorruptImageError('image header has no dimensions');
    if (meta.width * meta.height > this.opts.maxPixels) {
      throw new ImageTooLargeError(`image of ${meta.width}x${meta.height} exceeds ${this.opts.maxPixels} pixels`);
    }
    return { width: meta.width, height: meta.height, orientation: meta.orientation };
  }

  /** Radiographs saved as RGB are still grey: compare the channel means on a small thumbnail. */
  private async isGrayscale(img: sharp.Sharp): Promise<boolean> {
    const { data, info } = await img
      .resize(64, 64, { fit: 'inside' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels < 3) return true;
    let diff = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      diff += Math.abs(data[i]! - data[i + 1]!) + Math.abs(data[i + 1]! - data[i + 2]!);
    }
    return diff / (data.length / info.channels) < 4;
  }
}
