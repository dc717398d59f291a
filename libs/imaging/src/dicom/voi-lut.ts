/**
 * The DICOM grey-scale pipeline (PS3.3 C.11.2 / C.7.6.3.1.2): stored values -> modality LUT (rescale
 * slope/intercept) -> VOI LUT (window centre/width, linear function) -> presentation (MONOCHROME1 is
 * inverted so that bone is always bright in the derivative). Pure arithmetic on typed arrays so each
 * step is testable without a file.
 */
export type StoredPixels = Uint8Array | Int8Array | Uint16Array | Int16Array;

export interface Window {
  center: number;
  width: number;
}

export interface GreyscaleParams {
  rescaleSlope: number;
  rescaleIntercept: number;
  /** From the file; when absent the window is computed from the histogram. */
  window?: Window;
  monochrome1: boolean;
}

/** Modality LUT: stored value to output units (e.g. Hounsfield for CT). */
export function rescale(pixels: StoredPixels, slope: number, intercept: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! * slope + intercept;
  return out;
}

/**
 * A window covering the 0.5th to 99.5th percentile of the values: robust to the few burnt-out or
 * collimator pixels that would make a plain min/max window look washed out.
 */
export function windowFromHistogram(values: Float32Array): Window {
  return histogramWindow((visit) => {
    for (const v of values) visit(v, 1);
  }, values.length);
}

/** `each` calls its visitor once per value with the value's weight (how many pixels hold it). */
function histogramWindow(each: (visit: (v: number, weight: number) => void) => void, n: number): Window {
  if (n === 0) return { center: 0, width: 1 };
  let min = Infinity;
  let max = -Infinity;
  each((v) => {
    if (v < min) min = v;
    if (v > max) max = v;
  });
  if (max === min) return { center: min, width: 1 };
  const bins = 4096;
  const hist = new Float64Array(bins);
  const step = (max - min) / (bins - 1);
  each((v, weight) => void (hist[Math.round((v - min) / step)]! += weight));
  const lowCount = n * 0.005;
  const highCount = n * 0.995;
  let seen = 0;
  let lo = min;
  let hi = max;
  let loFound = false;
  for (let b = 0; b < bins; b++) {
    seen += hist[b]!;
    if (!loFound && seen > lowCount) {
      lo = min + b * step;
      loFound = true;
    }
    if (seen >= highCount) {
      hi = min + b * step;
      break;
    }
  }
  if (hi <= lo) return { center: (min + max) / 2, width: max - min };
  return { center: (lo + hi) / 2, width: hi - lo };
}

/** VOI LUT, linear function of PS3.3 C.11.2.1.2.1, to 0..255. */
export function applyWindow(values: Float32Array, w: Window): Uint8Array {
  const out = new Uint8Array(values.length);
  const windowed = windowFunction(w);
  for (let i = 0; i < values.length; i++) out[i] = windowed(values[i]!);
  return out;
}

function windowFunction(w: Window): (v: number) => number {
  const width = Math.max(1, w.width);
  const lower = w.center - 0.5 - (width - 1) / 2;
  const upper = w.center - 0.5 + (width - 1) / 2;
  return (v) => (v <= lower ? 0 : v > upper ? 255 : Math.round(((v - (w.center - 0.5)) / (width - 1) + 0.5) * 255));
}

export function invert(pixels: Uint8Array): Uint8Array {
  for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i]!;
  return pixels;
}

/**
 * The whole chain: stored pixels to 8-bit grey where higher is brighter. Stored values are 8- or
 * 16-bit integers, so the chain is computed once per value that occurs (a table of at most 65,536)
 * and the pixels are mapped through it: the same output as rescale -> window -> invert per pixel
 * (a spec compares them), without a 4-byte float per pixel (96 MB for a 24-megapixel panoramic).
 */
export function toDisplayGrey(pixels: StoredPixels, p: GreyscaleParams): Uint8Array {
  const size = pixels instanceof Uint8Array || pixels instanceof Int8Array ? 256 : 65536;
  const offset = pixels instanceof Int8Array || pixels instanceof Int16Array ? size / 2 : 0;
  const counts = new Uint32Array(size);
  for (let i = 0; i < pixels.length; i++) counts[pixels[i]! + offset]!++;
  // The rescaled value as the per-pixel float32 path holds it.
  const value = (k: number) => Math.fround((k - offset) * p.rescaleSlope + p.rescaleIntercept);
  const windowed = windowFunction(p.window ?? windowFromCounts(counts, value, pixels.length));
  const lut = new Uint8Array(size);
  for (let k = 0; k < size; k++) {
    if (!counts[k]) continue;
    const g = windowed(value(k));
    lut[k] = p.monochrome1 ? 255 - g : g;
  }
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]! + offset]!;
  return out;
}

/** windowFromHistogram over values given as counts per stored value. */
function windowFromCounts(counts: Uint32Array, value: (k: number) => number, n: number): Window {
  return histogramWindow((visit) => {
    for (let k = 0; k < counts.length; k++) if (counts[k]) visit(value(k), counts[k]!);
  }, n);
}
