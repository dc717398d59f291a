/**
 * Radiographs are often saved as RGB yet carry no colour: mean channel spread below a few levels
 * means grey. Works on interleaved 8-bit pixels with 1 or more channels.
 */
export function isGrayscale(data: Uint8Array, channels: number): boolean {
  if (channels < 3) return true;
  const pixels = data.length / channels;
  if (pixels === 0) return true;
  let diff = 0;
  for (let i = 0; i < data.length; i += channels) {
    diff += Math.abs(data[i]! - data[i + 1]!) + Math.abs(data[i + 1]! - data[i + 2]!);
  }
  return diff / pixels < 4;
}
