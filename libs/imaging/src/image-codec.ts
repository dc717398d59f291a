import type { LetterboxTransform, Modality } from '@dg/contracts';

export interface NormalizedImage {
  format: string;
  /** Dimensions of the original after auto-orientation. */
  width: number;
  height: number;
  grayscale: boolean;
  modalityGuess: Modality;
  /** 896x896 RGB PNG, letterboxed, with no metadata at all (EXIF, GPS, XMP, ICC dropped). */
  derivative: Buffer;
  transform: LetterboxTransform;
}

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, 8 bits per channel. */
  data: Buffer;
}

export class UnsupportedImageError extends Error {
  override readonly name = 'UnsupportedImageError';
  constructor(
    readonly detected: string,
    message: string,
  ) {
    super(message);
  }
}

export class CorruptImageError extends Error {
  override readonly name = 'CorruptImageError';
}

export class ImageTooLargeError extends Error {
  override readonly name = 'ImageTooLargeError';
}

/** The image-processing port: decoding and resampling are side effects (libvips), kept behind it. */
export interface ImageCodec {
  normalize(original: Buffer): Promise<NormalizedImage>;
  decodeRgb(image: Buffer): Promise<RgbImage>;
}
