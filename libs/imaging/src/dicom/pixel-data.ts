import type { StoredPixels } from './voi-lut';

export interface PixelLayout {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  planarConfiguration: number;
}

/** Bytes one frame takes in native (uncompressed) little-endian form. */
export function frameBytes(l: PixelLayout): number {
  return l.rows * l.columns * l.samplesPerPixel * (l.bitsAllocated / 8);
}

/**
 * Native pixel bytes to stored values, honouring Bits Stored: bits above it may hold overlays or
 * garbage and must be masked off (and the sign extended for signed data), or a 12-bit image with a
 * stray high bit renders as noise.
 */
export function storedValues(bytes: Uint8Array, l: PixelLayout): StoredPixels {
  if (l.bitsAllocated === 8) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length).slice();
  const aligned = new Uint8Array(bytes).buffer;
  const raw = new Uint16Array(aligned);
  const mask = (1 << l.bitsStored) - 1;
  if (l.pixelRepresentation === 0) {
    if (l.bitsStored < 16) for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! & mask;
    return raw;
  }
  const out = new Int16Array(raw.length);
  const sign = 1 << (l.bitsStored - 1);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]! & mask;
    out[i] = v & sign ? v - (1 << l.bitsStored) : v;
  }
  return out;
}

/** Colour frames to interleaved 8-bit RGB (planar configuration 1 stores RRR..GGG..BBB..). */
export function toInterleavedRgb(bytes: Uint8Array, l: PixelLayout, photometric: string): Uint8Array {
  const n = l.rows * l.columns;
  let rgb: Uint8Array;
  if (l.planarConfiguration === 1) {
    rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      rgb[3 * i] = bytes[i]!;
      rgb[3 * i + 1] = bytes[n + i]!;
      rgb[3 * i + 2] = bytes[2 * n + i]!;
    }
  } else {
    rgb = bytes.slice(0, n * 3);
  }
  if (photometric.startsWith('YBR_FULL')) ybrFullToRgb(rgb);
  return rgb;
}

/** PS3.3 C.7.6.3.1.2 YBR_FULL to RGB, in place. */
function ybrFullToRgb(p: Uint8Array): void {
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < p.length; i += 3) {
    const y = p[i]!;
    const cb = p[i + 1]! - 128;
    const cr = p[i + 2]! - 128;
    p[i] = clamp(y + 1.402 * cr);
    p[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    p[i + 2] = clamp(y + 1.772 * cb);
  }
}
