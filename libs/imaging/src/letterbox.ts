import type { LetterboxTransform } from '@dg/contracts';

/** The model's input side (Gemma 3 / SigLIP): 896 x 896. */
export const MODEL_INPUT_SIZE = 896;

/**
 * Fit width x height inside a square without distortion (the HF processor would stretch a 2:1
 * panoramic to 1:1, which changes tooth shapes). Pure arithmetic so box coordinates can be mapped
 * back: original = (derivative - offset) / scale.
 */
export function letterbox(width: number, height: number, size = MODEL_INPUT_SIZE): LetterboxTransform {
  const scale = Math.min(size / width, size / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return {
    scale,
    offsetX: Math.floor((size - w) / 2),
    offsetY: Math.floor((size - h) / 2),
    targetWidth: w,
    targetHeight: h,
  };
}

export function toOriginal(t: LetterboxTransform, x: number, y: number): { x: number; y: number } {
  return { x: (x - t.offsetX) / t.scale, y: (y - t.offsetY) / t.scale };
}
