import type { PixelImage } from '@dg/imaging';

/**
 * Gemma 3's image preprocessing after the 896x896 letterbox: rescale 1/255, then normalize with
 * mean 0.5 and std 0.5, laid out channels-first ([3, H, W]).
 */
export function toPixelValues(img: PixelImage, size: number): Float32Array {
  if (img.width !== size || img.height !== size) {
    throw new Error(`model input must be ${size}x${size}, got ${img.width}x${img.height}`);
  }
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const src = img.data;
  if (img.channels === 1) {
    // Grey: one plane computed, copied to G and B (R = G = B).
    for (let i = 0; i < plane; i++) out[i] = src[i]! / 127.5 - 1;
    out.copyWithin(plane, 0, plane);
    out.copyWithin(2 * plane, 0, plane);
    return out;
  }
  for (let i = 0; i < plane; i++) {
    out[i] = src[3 * i]! / 127.5 - 1;
    out[plane + i] = src[3 * i + 1]! / 127.5 - 1;
    out[2 * plane + i] = src[3 * i + 2]! / 127.5 - 1;
  }
  return out;
}
