import { applyWindow, invert, rescale, toDisplayGrey, windowFromHistogram } from './voi-lut';

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
