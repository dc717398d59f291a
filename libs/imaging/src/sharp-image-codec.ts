import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { detectFormat } from './detect-format';
import { DicomDecoder } from './dicom/dicom-decoder';
import {
  CorruptImageError,
  ImageCodec,
  ImageRejectedError,
  ImageTooLargeError,
  NormalizedImage,
  NormalizeOptions,
  PixelImage,
  UnsupportedImageError,
} from './image-codec';
import { letterbox } from './letterbox';
import { ImageLimits } from './limits';
import { guessModality } from './modality';
import { letterboxPng, thumbnailJpeg } from './steps/derivatives';
import { fitRaster, type FittedRaster } from './steps/fit-raster';
import { assertCleanDicomPreamble, assertPngEndsAtIend } from './steps/polyglot';
import { readHead } from './read-head';

// libvips' operation cache keeps recent decodes for reuse; a service that sees each image once only
// pays memory for it (up to 50 MB per process by default).
sharp.cache(false);

export interface SharpCodecOptions {
  /** Refused before decoding, from the header alone (decompression bombs). */
  maxPixels: number;
  maxDimension?: number;
  /** DICOM is decoded from memory (dcmjs has no streaming parser): larger files are refused. */
  maxDicomBytes?: number;
}

/**
 * The normalization pipeline: detect (magic bytes) -> header limits -> decode once to a fitted 8-bit
 * sRGB raster (libvips for JPEG/PNG/TIFF/WebP, dcmjs-codecs + VOI LUT for DICOM) -> modality ->
 * letterboxed derivative + thumbnail. Each step lives in its own file and is tested alone.
 */
export class SharpImageCodec implements ImageCodec {
  private readonly limits: ImageLimits;
  private readonly dicom: DicomDecoder;

  private readonly maxDicomBytes: number;

  constructor(opts: SharpCodecOptions = { maxPixels: 100_000_000 }) {
    this.maxDicomBytes = opts.maxDicomBytes ?? 256 * 1024 * 1024;
    this.limits = new ImageLimits(opts.maxPixels, opts.maxDimension ?? 65_535);
    this.dicom = new DicomDecoder(this.limits);
  }

  async normalize(original: Buffer | string, opts: NormalizeOptions = {}): Promise<NormalizedImage> {
    const head = await readHead(original, 1024);
    const detected = detectFormat(head);
    if (!detected.supported) {
      throw new UnsupportedImageError(detected.format, `unsupported image type: detected ${detected.format}`);
    }
    // The original is kept and served as received: it must be one file, not two in one.
    if (detected.format === 'png') await assertPngEndsAtIend(original);
    if (detected.format === 'dicom') assertCleanDicomPreamble(head);
    try {
      return detected.format === 'dicom'
        ? await this.normalizeDicom(await this.dicomBytes(original), opts)
        : await this.normalizeRaster(detected.format, original, opts);
    } catch (error) {
      if (error instanceof ImageRejectedError) throw error;
      // Anything a decoder throws on input it accepted at the header is the input's fault. DICOM
      // library messages may quote patient attributes, so only libvips' are passed on.
      const detail = detected.format === 'dicom' ? '' : `: ${(error as Error).message}`;
      throw new CorruptImageError(`cannot decode ${detected.format}${detail}`);
    }
  }

  private async normalizeRaster(format: string, original: Buffer | string, opts: NormalizeOptions) {
    const input = () => sharp(original, { limitInputPixels: this.limits.maxPixels, failOn: 'error' });
    let meta: sharp.Metadata;
    try {
      meta = await sharp(original, { limitInputPixels: false }).metadata();
    } catch (error) {
      throw new CorruptImageError(`cannot read ${format} header: ${(error as Error).message}`);
    }
    if (!meta.width || !meta.height) throw new CorruptImageError(`${format} header has no dimensions`);
    this.limits.check(meta.width, meta.height);
    const rotated = (meta.orientation ?? 1) >= 5;
    const width = rotated ? meta.height : meta.width;
    const height = rotated ? meta.width : meta.height;
    const t = letterbox(width, height);
    const stretch = meta.depth === 'ushort' && (meta.channels ?? 3) <= 2;
    const fitted = await fitRaster(input(), t, { stretch });
    return this.finish(format, width, height, fitted, t, opts);
  }

  private async dicomBytes(original: Buffer | string): Promise<Buffer> {
    const size = typeof original === 'string' ? (await stat(original)).size : original.length;
    if (size > this.maxDicomBytes) {
      throw new ImageTooLargeError(
        'dicom_too_large',
        `DICOM files are decoded in memory: at most ${this.maxDicomBytes} bytes`,
      );
    }
    return typeof original === 'string' ? readFile(original) : original;
  }

  private async normalizeDicom(file: Buffer, opts: NormalizeOptions) {
    const d = await this.dicom.decode(file, opts);
    const t = letterbox(d.columns, d.rows);
    const raw = sharp(Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength), {
      raw: { width: d.columns, height: d.rows, channels: d.channels },
      limitInputPixels: this.limits.maxPixels,
    });
    const fitted = await fitRaster(raw, t, { stretch: false });
    const out = await this.finish('dicom', d.columns, d.rows, fitted, t, opts, d.modality);
    out.dicom = {
      transferSyntaxUid: d.transferSyntaxUid,
      frames: d.frames,
      modality: d.modality,
      frame: opts.frame ?? 0,
    };
    if (d.patientId !== undefined) out.patientId = d.patientId;
    return out;
  }

  private async finish(
    format: string,
    width: number,
    height: number,
    fitted: FittedRaster,
    t: ReturnType<typeof letterbox>,
    opts: NormalizeOptions,
    dicomModality?: string,
  ): Promise<NormalizedImage> {
    const [derivative, thumbnail] = await Promise.all([letterboxPng(fitted, t), thumbnailJpeg(fitted)]);
    const modalityGuess = guessModality({ width, height, grayscale: fitted.grayscale, dicomModality });
    return {
      format,
      width,
      height,
      grayscale: fitted.grayscale,
      modalityGuess,
      modality: opts.modality ?? modalityGuess,
      derivative,
      thumbnail,
      transform: t,
    };
  }

  async decodePixels(image: Buffer): Promise<PixelImage> {
    try {
      const input = sharp(image, { limitInputPixels: this.limits.maxPixels, failOn: 'error' });
      const { channels, space } = await input.metadata();
      // Our derivatives are grey or sRGB PNGs; anything else is brought to sRGB.
      const grey = space === 'b-w' && (channels === 1 || channels === 2);
      const { data, info } = await input
        .toColourspace(grey ? 'b-w' : 'srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 1 && info.channels !== 3) throw new Error(`expected 1 or 3 channels, got ${info.channels}`);
      return { width: info.width, height: info.height, channels: info.channels, data };
    } catch (error) {
      throw new CorruptImageError(`cannot decode image: ${(error as Error).message}`);
    }
  }
}
