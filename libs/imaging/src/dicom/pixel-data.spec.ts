import { frameBytes, storedValues, toInterleavedRgb, type PixelLayout } from './pixel-data';

const layout = (l: Partial<PixelLayout>): PixelLayout => ({
  rows: 1,
  columns: 4,
  bitsAllocated: 16,
  bitsStored: 12,
  pixelRepresentation: 0,
  samplesPerPixel: 1,
  planarConfiguration: 0,
  ...l,
});
const le16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);

describe('native pixel data', () => {
  it('masks the bits above Bits Stored (overlays, garbage) off unsigned values', () => {
    const out = storedValues(le16([0x0fff, 0xf001, 0x1800, 0x8000]), layout({}));
    expect([...out]).toEqual([4095, 1, 2048, 0]);
  });

  it('sign-extends signed values from Bits Stored, whatever is above them', () => {
    // 12-bit two's complement: 0x800 is -2048, 0xfff is -1, 0x7ff is 2047; the top nibble is noise.
    const out = storedValues(le16([0xf800, 0x0fff, 0xa7ff, 0x0000]), layout({ pixelRepresentation: 1 }));
    expect(out).toBeInstanceOf(Int16Array);
    expect([...out]).toEqual([-2048, -1, 2047, 0]);
  });

  it('never writes into the bytes it was given (they are the original as received)', () => {
    const bytes = le16([0xf001, 0x0002, 0x0003, 0x0004]);
    const copy = Uint8Array.from(bytes);
    storedValues(bytes, layout({}));
    storedValues(bytes, layout({ pixelRepresentation: 1 }));
    expect(bytes).toEqual(copy);
  });

  it('interleaves planar colour (RRR..GGG..BBB..) and sizes frames', () => {
    const l = layout({ columns: 2, bitsAllocated: 8, bitsStored: 8, samplesPerPixel: 3, planarConfiguration: 1 });
    expect(frameBytes(l)).toBe(6);
    expect([...toInterleavedRgb(Uint8Array.from([1, 2, 10, 20, 100, 200]), l, 'RGB')]).toEqual([
      1, 10, 100, 2, 20, 200,
    ]);
  });
});
