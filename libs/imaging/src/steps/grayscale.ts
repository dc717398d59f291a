/** Pixels looked at: enough to tell a colour photo from a grey radiograph, whatever the size. */
const SAMPLES = 16_384;

/**
 * Radiographs are often saved as RGB yet carry no colour: mean channel spread below a few levels
 * means grey. Works on interleaved 8-bit pixels with 1 or more channels, on an even sample of at
 * most SAMPLES pixels (every pixel of an 896x448 raster cost ~100 ms per image under Jest's VM).
 */
export function isGrayscale(data: Uint8Array, channels: number): boolean {
  if (channels < 3) return true;
  const pixels = Math.floor(data.length / channels);
  if (pixels === 0) return true;
  const step = Math.max(1, Math.floor(pixels / SAMPLES)) * channels;
  let diff = 0;
  let seen = 0;
  for (let i = 0; i + 2 < data.length; i += step) {
    diff += Math.abs(data[i]! - data[i + 1]!) + Math.abs(data[i + 1]! - data[i + 2]!);
    seen++;
  }
  return diff / seen < 4;
}
