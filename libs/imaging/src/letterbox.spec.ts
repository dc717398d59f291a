import { letterbox, toOriginal } from './letterbox';
import { guessModality } from './modality';

describe('letterbox', () => {
  it('fits a 2:1 panoramic with bands above and below', () => {
    const t = letterbox(2000, 1000);
    expect(t).toEqual({ scale: 0.448, offsetX: 0, offsetY: 224, targetWidth: 896, targetHeight: 448 });
  });

  it('maps derivative coordinates back to the original', () => {
    const t = letterbox(2000, 1000);
    expect(toOriginal(t, 448, 448)).toEqual({ x: 1000, y: 500 });
    expect(toOriginal(t, 0, 224)).toEqual({ x: 0, y: 0 });
  });

  it('fits a portrait image with bands left and right', () => {
    const t = letterbox(600, 800);
    expect(t.targetHeight).toBe(896);
    expect(t.targetWidth).toBe(672);
    expect(t.offsetX).toBe(112);
  });
});

describe('guessModality', () => {
  it('reads grey wide images as panoramic and colour ones as photos', () => {
    expect(guessModality({ width: 2800, height: 1400, grayscale: true })).toBe('panoramic');
    expect(guessModality({ width: 1600, height: 1200, grayscale: false })).toBe('intraoral-photo');
    expect(guessModality({ width: 800, height: 1000, grayscale: true })).toBe('periapical');
    expect(guessModality({ width: 4000, height: 4000, grayscale: true })).toBe('other');
  });

  it('trusts the DICOM modality over the shape: PX is panoramic, IO intraoral even when wide', () => {
    expect(guessModality({ width: 900, height: 900, grayscale: true, dicomModality: 'PX' })).toBe('panoramic');
    expect(guessModality({ width: 1700, height: 1000, grayscale: true, dicomModality: 'IO' })).toBe('periapical');
    expect(guessModality({ width: 1700, height: 1000, grayscale: true, dicomModality: 'DX' })).toBe('panoramic');
  });
});
