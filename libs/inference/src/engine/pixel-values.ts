import type { PixelImage } from '@dg/imaging';

/** v / 127.5 - 1 for every 8-bit value, as float32: one table read per sample instead of a division. */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/**
 * Gemma 3's image preprocessing after the 896x896 letterbox: rescale 1/255, then normalize with
 * mean 0.5 and std 0.5, laid out channels-first ([3, H, W]). `into` (from a PixelBufferPool) is
 * overwritten whole; without it a new array is made.
 */
export function toPixelValues(img: PixelImage, size: number, into?: Float32Array): Float32Array {
  if (img.width !== size || img.height !== size) {
    throw new Error(`model input must be ${size}x${size}, got ${img.width}x${img.height}`);
  }
  const plane = size * size;
  if (into && into.length !== 3 * plane) throw new Error(`pixel buffer must hold ${3 * plane} values`);
  const out = into ?? new Float32Array(3 * plane);
  const src = img.data;
  if (img.channels === 1) {
    // Grey: one plane computed, copied to G and B (R = G = B).
    for (let i = 0; i < plane; i++) out[i] = SCALE[src[i]!]!;
    out.copyWithin(plane, 0, plane);
    out.copyWithin(2 * plane, 0, plane);
    return out;
  }
  for (let i = 0; i < plane; i++) {
    out[i] = SCALE[src[3 * i]!]!;
    out[plane + i] = SCALE[src[3 * i + 1]!]!;
    out[2 * plane + i] = SCALE[src[3 * i + 2]!]!;
  }
  return out;
}

/**
 * Reused pixel-value arrays. Each image task needs 3 x 896 x 896 floats (9.6 MB); made anew per job,
 * they were most of the worker's garbage collection. A buffer is given back only once nothing can
 * read it any more (the engine call has settled); the pool keeps at most `maxFree` of them, which is
 * no more than the worker had in use at its busiest.
 */
export class PixelBufferPool {
  private readonly free: Float32Array[] = [];
  constructor(private readonly maxFree: number) {}

  take(length: number): Float32Array {
    const reused = this.free.pop();
    return reused && reused.length === length ? reused : new Float32Array(length);
  }

  give(buffer: Float32Array): void {
    if (this.free.length < this.maxFree) this.free.push(buffer);
  }

  get idle(): number {
    return this.free.length;
  }
}
