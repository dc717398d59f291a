import {
  applyWindow,
  invert,
  rescale,
  toDisplayGrey,
  windowFromHistogram,
  type GreyscaleParams,
  type StoredPixels,
} from './voi-lut';

describe('VOI LUT', () => {
  it('rescales stored values', () => {
    expect([...rescale(Int16Array.from([0, 10, -5]), 2, -1000)]).toEqual([-1000, -980, -1010]);
  });
  it('applies the PS3.3 linear window', () => {
    expect([...applyWindow(Float32Array.from([0, 40, 50, 60, 100]), { center: 50, width: 20 })]).toEqual([
      0, 0, 134, 255, 255,
    ]);
  });
  it('derives a robust window from the histogram, ignoring a few outliers', () => {
    const v = new Float32Array(1000).map((_, i) => 100 + (i % 100));
    v[0] = 60000;
    const w = windowFromHistogram(v);
    expect(w.center).toBeGreaterThan(120);
    expect(w.center).toBeLessThan(180);
    expect(w.width).toBeLessThan(200);
  });
  it('inverts MONOCHROME1 so bone is bright', () => {
    expect([...invert(Uint8Array.from([0, 255, 100]))]).toEqual([255, 0, 155]);
    const grey = toDisplayGrey(Uint16Array.from([0, 4095]), {
      rescaleSlope: 1,
      rescaleIntercept: 0,
      window: { center: 2048, width: 4096 },
      monochrome1: true,
    });
    expect([...grey]).toEqual([255, 0]);
  });
});

describe('toDisplayGrey through a table per stored value', () => {
  // The per-pixel chain it replaces, step by step.
  const reference = (pixels: StoredPixels, p: GreyscaleParams) => {
    const values = rescale(pixels, p.rescaleSlope, p.rescaleIntercept);
    const grey = applyWindow(values, p.window ?? windowFromHistogram(values));
    return p.monochrome1 ? invert(grey) : grey;
  };
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const cases: [string, () => StoredPixels][] = [
    ['12-bit unsigned', () => Uint16Array.from({ length: 20_000 }, () => Math.floor(random() * 4096))],
    ['16-bit signed (CT-like)', () => Int16Array.from({ length: 20_000 }, () => Math.floor(random() * 4000) - 1024)],
    ['8-bit unsigned', () => Uint8Array.from({ length: 20_000 }, () => Math.floor(random() * 256))],
    ['8-bit signed', () => Int8Array.from({ length: 5_000 }, () => Math.floor(random() * 256) - 128)],
    ['one value', () => new Uint16Array(100).fill(300)],
  ];
  it.each(cases)('gives exactly the per-pixel output for %s data', (_name, make) => {
    const pixels = make();
    for (const p of [
      { rescaleSlope: 1, rescaleIntercept: 0, monochrome1: false },
      { rescaleSlope: 0.37, rescaleIntercept: -1024.5, monochrome1: true },
      { rescaleSlope: -2, rescaleIntercept: 100, monochrome1: false },
      { rescaleSlope: 1, rescaleIntercept: 0, monochrome1: false, window: { center: 1500, width: 800 } },
    ])
      expect(Buffer.from(toDisplayGrey(pixels, p)).equals(Buffer.from(reference(pixels, p)))).toBe(true);
  });
});
