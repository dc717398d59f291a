import { PixelBufferPool, toPixelValues } from './pixel-values';

describe('toPixelValues', () => {
  const size = 4;
  const grey = Buffer.from(Array.from({ length: size * size }, (_, i) => i * 16));

  it('lays RGB out channels-first, scaled to [-1, 1]', () => {
    const rgb = Buffer.alloc(size * size * 3);
    for (let i = 0; i < size * size; i++) rgb.set([255, 0, 127.5], 3 * i);
    const out = toPixelValues({ width: size, height: size, channels: 3, data: rgb }, size);
    expect([out[0], out[size * size], out[2 * size * size]]).toEqual([1, -1, Math.fround(127 / 127.5 - 1)]);
  });

  it('gives a grey image exactly the values of the same image as RGB with R = G = B', () => {
    const asRgb = Buffer.alloc(size * size * 3);
    grey.forEach((v, i) => asRgb.set([v, v, v], 3 * i));
    const fromGrey = toPixelValues({ width: size, height: size, channels: 1, data: grey }, size);
    const fromRgb = toPixelValues({ width: size, height: size, channels: 3, data: asRgb }, size);
    expect(Array.from(fromGrey)).toEqual(Array.from(fromRgb));
  });

  it('refuses an image of the wrong size', () => {
    expect(() => toPixelValues({ width: 2, height: 2, channels: 1, data: Buffer.alloc(4) }, size)).toThrow(/4x4/);
  });
});

describe('toPixelValues into a reused buffer', () => {
  it('overwrites every value of a buffer that held another image', () => {
    const size = 4;
    const dirty = new Float32Array(3 * size * size).fill(42);
    const grey = Buffer.from(Array.from({ length: size * size }, (_, i) => i * 16));
    const fresh = toPixelValues({ width: size, height: size, channels: 1, data: grey }, size);
    const reused = toPixelValues({ width: size, height: size, channels: 1, data: grey }, size, dirty);
    expect(reused).toBe(dirty);
    expect(Array.from(reused)).toEqual(Array.from(fresh));
    expect(() =>
      toPixelValues({ width: size, height: size, channels: 1, data: grey }, size, new Float32Array(3)),
    ).toThrow(/48 values/);
  });
});

describe('PixelBufferPool', () => {
  it('hands back what it was given, keeps at most maxFree, and never a buffer of another length', () => {
    const pool = new PixelBufferPool(1);
    const a = pool.take(12);
    const b = pool.take(12);
    expect(a).not.toBe(b);
    pool.give(a);
    pool.give(b); // over maxFree: dropped
    expect(pool.idle).toBe(1);
    expect(pool.take(12)).toBe(a);
    pool.give(a);
    expect(pool.take(6)).toHaveLength(6);
  });
});
