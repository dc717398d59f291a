import sharp from 'sharp';
import { detectFormat } from './detect-format';

describe('detectFormat', () => {
  it.each(['jpeg', 'png', 'tiff', 'webp'] as const)('recognises %s by content', async (format) => {
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
      .toFormat(format)
      .toBuffer();
    expect(detectFormat(bytes)).toEqual({ format, supported: true });
  });

  it('recognises DICOM Part 10 by its preamble and names unsupported content', () => {
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);
    expect(detectFormat(dicom)).toEqual({ format: 'dicom', supported: true });
    expect(detectFormat(Buffer.from('%PDF-1.7'))).toEqual({ format: 'pdf', supported: false });
    expect(detectFormat(Buffer.from('  <svg onload="alert(1)">'))).toEqual({ format: 'svg', supported: false });
    expect(detectFormat(Buffer.alloc(0))).toEqual({ format: 'empty', supported: false });
    expect(detectFormat(Buffer.from('hello world'))).toEqual({ format: 'unknown', supported: false });
  });
});
