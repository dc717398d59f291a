import sharp from 'sharp';
import type { LetterboxTransform } from '@dg/contracts';
import { MODEL_INPUT_SIZE } from '../letterbox';
import type { FittedRaster } from './fit-raster';

export const THUMBNAIL_SIZE = 256;

const rawInput = (r: FittedRaster) => sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } });

/**
 * The model derivative: the fitted raster padded with black to 896x896 at the recorded offsets.
 * Built from raw pixels, so no metadata of the original can reach it (sharp writes none unless
 * withMetadata() is called, and it never is here). A grey raster (radiographs) is stored as a
 * one-channel PNG: a third of the bytes to store and fetch, a third of the decoding per assessment.
 */
export function letterboxPng(r: FittedRaster, t: LetterboxTransform): Promise<Buffer> {
  const input = r.grayscale ? rawInput(r).extractChannel(1) : rawInput(r);
  return input
    .extend({
      top: t.offsetY,
      left: t.offsetX,
      bottom: MODEL_INPUT_SIZE - t.targetHeight - t.offsetY,
      right: MODEL_INPUT_SIZE - t.targetWidth - t.offsetX,
      background: { r: 0, g: 0, b: 0 },
    })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** A small preview for lists, from the same raster, as JPEG without metadata. */
export function thumbnailJpeg(r: FittedRaster): Promise<Buffer> {
  return rawInput(r)
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80, mozjpeg: false })
    .toBuffer();
}
