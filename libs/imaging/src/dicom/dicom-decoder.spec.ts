import sharp from 'sharp';
import { buildDicom, withElementValue, withTransferSyntax } from '../testing/build-dicom';
import { CorruptImageError, ImageRejectedError, ImageTooLargeError, UnsupportedImageError } from '../image-codec';
import { ImageLimits } from '../limits';
import { SharpImageCodec } from '../sharp-image-codec';
import { DicomDecoder, parseDicomHeader } from './dicom-decoder';

const decoder = new DicomDecoder(new ImageLimits(50_000_000, 20_000));
const fixture = {
  rows: 48,
  columns: 96,
  windowCenter: 1024,
  windowWidth: 2048,
  pixel: (x: number, y: number) => x * 20 + y,
};

const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('DicomDecoder', () => {
  let reference: Uint8Array;
  beforeAll(async () => {
    reference = (await decoder.decode(await buildDicom(fixture))).data;
  });

  // Every file is written by dcmjs and encoded by the same codec build the decoder uses.
  it.each([
    ['implicit VR little endian', '1.2.840.10008.1.2', 0],
    ['RLE lossless', '1.2.840.10008.1.2.5', 0],
    ['JPEG lossless process 14', '1.2.840.10008.1.2.4.57', 0],
    ['JPEG lossless SV1', '1.2.840.10008.1.2.4.70', 0],
    ['JPEG-LS lossless', '1.2.840.10008.1.2.4.80', 0],
    ['JPEG-LS near-lossless', '1.2.840.10008.1.2.4.81', 8],
    ['JPEG 2000 lossless', '1.2.840.10008.1.2.4.90', 0],
    ['JPEG 2000 lossy', '1.2.840.10008.1.2.4.91', 40],
  ])('decodes %s (%s) to the same pixels', async (_name, uid, tolerance) => {
    // The codec build writes no process 14 with other predictors; an SV1 stream (predictor 1) is a
    // valid process 14 stream, so it is relabelled: what is tested is that .57 files decode.
    const PROCESS_14 = '1.2.840.10008.1.2.4.57';
    const SV1 = '1.2.840.10008.1.2.4.70';
    const file =
      uid === PROCESS_14
        ? withTransferSyntax(await buildDicom(fixture, SV1), SV1, PROCESS_14)
        : await buildDicom(fixture, uid);
    expect(file.includes(Buffer.from(uid))).toBe(true);
    const out = await decoder.decode(file);
    expect(out).toMatchObject({ transferSyntaxUid: uid, rows: 48, columns: 96, channels: 1, modality: 'PX' });
    expect(maxDiff(out.data, reference)).toBeLessThanOrEqual(tolerance);
  });

  it('decodes JPEG baseline (8-bit only, as the syntax defines)', async () => {
    const f = { rows: 32, columns: 64, bitsAllocated: 8 as const, pixel: (x: number) => x * 4 };
    const native = await decoder.decode(await buildDicom(f));
    const jpeg = await decoder.decode(await buildDicom(f, '1.2.840.10008.1.2.4.50'));
    expect(jpeg.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
    expect(maxDiff(jpeg.data, native.data)).toBeLessThanOrEqual(12);
  });

  it('applies the file window, rescale and MONOCHROME1 inversion', async () => {
    const flat = { rows: 4, columns: 4, pixel: () => 1000 };
    const w = await decoder.decode(await buildDicom({ ...flat, windowCenter: 1000, windowWidth: 200 }));
    expect(w.data[0]).toBe(128);
    // slope 2, intercept -1000: stored 1000 -> 1000, and a window centred lower makes it white.
    const r = await decoder.decode(
      await buildDicom({ ...flat, rescaleSlope: 2, rescaleIntercept: -1000, windowCenter: 500, windowWidth: 200 }),
    );
    expect(r.data[0]).toBe(255);
    const m1 = await decoder.decode(
      await buildDicom({
        ...flat,
        photometric: 'MONOCHROME1',
        rescaleSlope: 2,
        rescaleIntercept: -1000,
        windowCenter: 500,
        windowWidth: 200,
      }),
    );
    expect(m1.data[0]).toBe(0);
  });

  it('computes the window from the histogram when the file has none', async () => {
    // 12-bit values only between 1000 and 1100: a full-range mapping would be almost flat grey.
    const out = await decoder.decode(await buildDicom({ rows: 20, columns: 100, pixel: (x) => 1000 + x }));
    expect(Math.min(...out.data)).toBeLessThan(10);
    expect(Math.max(...out.data)).toBeGreaterThan(245);
  });

  it('refuses a multi-frame object unless a frame is chosen, then decodes that frame', async () => {
    const file = await buildDicom({
      rows: 8,
      columns: 8,
      frames: 3,
      windowCenter: 128,
      windowWidth: 256,
      pixel: (_x, _y, f) => f * 100,
    });
    await expect(decoder.decode(file)).rejects.toMatchObject({ code: 'multi_frame_requires_frame' });
    expect((await decoder.decode(file, { frame: 2 })).data[0]).toBe(200);
    await expect(decoder.decode(file, { frame: 3 })).rejects.toMatchObject({ code: 'frame_out_of_range' });
    const rle = await buildDicom(
      { rows: 8, columns: 8, frames: 3, windowCenter: 128, windowWidth: 256, pixel: (_x, _y, f) => f * 100 },
      '1.2.840.10008.1.2.5',
    );
    expect((await decoder.decode(rle, { frame: 1 })).data[0]).toBe(100);
  });

  it('decodes RGB DICOM (intraoral camera, XC)', async () => {
    const out = await decoder.decode(
      await buildDicom({ rows: 8, columns: 8, bitsAllocated: 8, samplesPerPixel: 3, modality: 'XC', pixel: () => 50 }),
    );
    expect(out.channels).toBe(3);
    expect([...out.data.subarray(0, 3)]).toEqual([50, 70, 90]);
  });

  it('decodes colour JPEG baseline labelled YBR_FULL_422 (as cameras write it) to the right RGB', async () => {
    const jpeg = await buildDicom(
      { rows: 16, columns: 16, bitsAllocated: 8, samplesPerPixel: 3, modality: 'XC', pixel: () => 100 },
      '1.2.840.10008.1.2.4.50',
    );
    // The JPEG codec turns YCbCr into RGB as it decodes; a second conversion would tint the image.
    const ybr = withElementValue(jpeg, 0x0028, 0x0004, 'YBR_FULL_422');
    expect(parseDicomHeader(ybr).natural['PhotometricInterpretation']).toBe('YBR_FULL_422');
    const out = await decoder.decode(ybr);
    expect(out.channels).toBe(3);
    expect(maxDiff(out.data.subarray(0, 3), new Uint8Array([100, 120, 140]))).toBeLessThanOrEqual(2);
  });

  it('converts uncompressed YBR_FULL pixels to RGB', async () => {
    // The fixture writes samples v, v + 20, v + 40: here Y 100, Cb 120, Cr 140 (PS3.3 C.7.6.3.1.2).
    const file = await buildDicom({
      rows: 4,
      columns: 4,
      bitsAllocated: 8,
      samplesPerPixel: 3,
      photometric: 'YBR_FULL',
      modality: 'XC',
      pixel: () => 100,
    });
    const out = await decoder.decode(file);
    expect([...out.data.subarray(0, 3)]).toEqual([117, 94, 86]);
  });

  it('reads PatientID only when asked', async () => {
    const file = await buildDicom({ ...fixture, patientId: 'PMS-777' });
    expect((await decoder.decode(file)).patientId).toBeUndefined();
    expect((await decoder.decode(file, { readPatientId: true })).patientId).toBe('PMS-777');
  });

  it('refuses bad DICOM with typed, coded errors', async () => {
    const good = await buildDicom(fixture);
    await expect(decoder.decode(await buildDicom({ ...fixture, noPixelData: true }))).rejects.toMatchObject({
      code: 'dicom_missing_pixel_data',
    });
    await expect(
      decoder.decode(withTransferSyntax(good, '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.9')),
    ).rejects.toBeInstanceOf(UnsupportedImageError);
    await expect(decoder.decode(good.subarray(0, 300))).rejects.toBeInstanceOf(ImageRejectedError);
    await expect(decoder.decode(good.subarray(0, good.length - 500))).rejects.toBeInstanceOf(CorruptImageError);
    // The codecs would zero-fill these; the framing check refuses them first.
    const rle = await buildDicom(fixture, '1.2.840.10008.1.2.5');
    await expect(decoder.decode(rle.subarray(0, rle.length - 100))).rejects.toThrow(/truncated/);
    const absurd = Buffer.from(good);
    absurd.writeUInt32LE(0xfffffff0, absurd.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]), 132) + 8);
    await expect(decoder.decode(absurd)).rejects.toThrow(/exceeds the file/);
    const small = new DicomDecoder(new ImageLimits(1000, 20_000));
    await expect(small.decode(good)).rejects.toBeInstanceOf(ImageTooLargeError);
  });
});

describe('SharpImageCodec on DICOM', () => {
  it('makes a derivative and a thumbnail with no trace of the patient', async () => {
    const codec = new SharpImageCodec({ maxPixels: 50_000_000 });
    const file = await buildDicom(
      { rows: 300, columns: 600, patientName: 'Doe^Jane', patientId: 'PMS-4242' },
      '1.2.840.10008.1.2.4.80',
    );
    const out = await codec.normalize(file);
    expect(out).toMatchObject({ format: 'dicom', width: 600, height: 300, grayscale: true, modality: 'panoramic' });
    expect(out.dicom).toMatchObject({ transferSyntaxUid: '1.2.840.10008.1.2.4.80', modality: 'PX' });
    for (const bytes of [out.derivative, out.thumbnail]) {
      expect(bytes.includes(Buffer.from('Doe^Jane'))).toBe(false);
      expect(bytes.includes(Buffer.from('PMS-4242'))).toBe(false);
    }
    expect(await sharp(out.derivative).metadata()).toMatchObject({ width: 896, height: 896, format: 'png' });
    expect(out.patientId).toBeUndefined();
  });

  it('refuses DICOM files larger than it may hold in memory', async () => {
    const tight = new SharpImageCodec({ maxPixels: 50_000_000, maxDicomBytes: 1000 });
    await expect(tight.normalize(await buildDicom({ rows: 64, columns: 64 }))).rejects.toMatchObject({
      code: 'dicom_too_large',
    });
  });
});
