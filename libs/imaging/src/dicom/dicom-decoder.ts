import { CorruptImageError, ImageRejectedError, UnsupportedImageError } from '../image-codec';
import type { ImageLimits } from '../limits';
import { assertPixelDataIntact } from './pixel-data-integrity';
import { decodeLosslessFrame, JPEG_LOSSLESS_PROCESS_14 } from './jpeg-lossless';
import { frameBytes, PixelLayout, storedValues, toInterleavedRgb } from './pixel-data';
import { EXPLICIT_VR_LITTLE_ENDIAN, isSupportedTransferSyntax } from './transfer-syntax';

/** Native pixel data: implicit and explicit VR little endian. */
const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', EXPLICIT_VR_LITTLE_ENDIAN]);
import { toDisplayGrey, type Window } from './voi-lut';
import { asArrayBuffer } from './array-buffer';
import { dicomLibs } from './dicom-libs';

export interface DicomHeader {
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  frames: number;
  /** The Modality attribute (0008,0060): PX, IO, DX, XC... */
  modality?: string;
}

export interface DecodedDicom extends DicomHeader {
  /** 8-bit pixels, 1 (grey, display-ready: windowed, MONOCHROME1 inverted) or 3 (RGB) channels. */
  channels: 1 | 3;
  data: Uint8Array;
  /** PatientID (0010,0020), present only when the caller asked for it to match a patient. */
  patientId?: string;
}

export interface DicomDecodeOptions {
  /** 0-based frame of a multi-frame object; multi-frame objects are refused without one. */
  frame?: number;
  readPatientId?: boolean;
}

type Natural = Record<string, unknown>;
const PIXEL_DATA = '7FE00010';

const num = (v: unknown, fallback: number): number => {
  const first = Array.isArray(v) ? v[0] : v;
  const n = typeof first === 'string' ? Number(first) : (first as number | undefined);
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};
/** The first value of a DICOM string attribute, trimmed; undefined when empty or absent. */
export const str = (v: unknown): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && first.trim() ? first.trim() : undefined;
};

/**
 * DICOM Part 10 through dcmjs (parsing) and dcmjs-codecs (WebAssembly builds of the reference RLE,
 * libjpeg, CharLS and OpenJPEG codecs). The header is read and checked against the limits before a
 * single pixel is decoded.
 */
export class DicomDecoder {
  private static init?: Promise<void>;

  constructor(private readonly limits: ImageLimits) {}

  header(file: Buffer): DicomHeader & { natural: Natural } {
    let meta: Natural;
    let natural: Natural;
    try {
      ({ meta, natural } = parseDicomHeader(file));
    } catch {
      // dcmjs messages can quote element values (e.g. "Value exceeds max length, vr: PN, value:
      // <PatientName>"), so none of them reaches an answer or a log.
      throw new CorruptImageError('cannot parse the DICOM dataset');
    }
    const transferSyntaxUid = str(meta['TransferSyntaxUID']) ?? '';
    if (!isSupportedTransferSyntax(transferSyntaxUid)) {
      throw new UnsupportedImageError(
        `dicom (transfer syntax ${transferSyntaxUid || 'missing'})`,
        `unsupported DICOM transfer syntax ${transferSyntaxUid || '(missing)'}`,
        'unsupported_transfer_syntax',
      );
    }
    const rows = num(natural['Rows'], 0);
    const columns = num(natural['Columns'], 0);
    if (!(rows > 0 && columns > 0)) throw new CorruptImageError('DICOM has no Rows/Columns: not an image');
    this.limits.check(columns, rows);
    return {
      transferSyntaxUid,
      rows,
      columns,
      frames: Math.max(1, num(natural['NumberOfFrames'], 1)),
      modality: str(natural['Modality']),
      natural,
    };
  }

  async decode(file: Buffer, opts: DicomDecodeOptions = {}): Promise<DecodedDicom> {
    const { natural, ...header } = this.header(file);
    const frame = this.chooseFrame(header.frames, opts.frame);
    const layout: PixelLayout = {
      rows: header.rows,
      columns: header.columns,
      bitsAllocated: num(natural['BitsAllocated'], 0),
      bitsStored: num(natural['BitsStored'], num(natural['BitsAllocated'], 0)),
      pixelRepresentation: num(natural['PixelRepresentation'], 0),
      samplesPerPixel: num(natural['SamplesPerPixel'], 1),
      planarConfiguration: num(natural['PlanarConfiguration'], 0),
    };
    if (![8, 16].includes(layout.bitsAllocated) || ![1, 3].includes(layout.samplesPerPixel)) {
      throw new UnsupportedImageError(
        'dicom',
        `unsupported DICOM pixel layout: ${layout.bitsAllocated} bits allocated, ${layout.samplesPerPixel} samples`,
        'unsupported_pixel_layout',
      );
    }
    assertPixelDataIntact(file, header.transferSyntaxUid, header.frames * frameBytes(layout));
    // The photometric interpretation of the decompressed pixels, not the file's: decoding a JPEG
    // (YBR_FULL_422) frame already yields RGB, and converting it again ruins the colours.
    const { bytes, photometric: decodedAs } = await this.nativeFrame(
      file,
      layout,
      header.frames,
      frame,
      header.transferSyntaxUid,
    );
    const photometric = decodedAs ?? str(natural['PhotometricInterpretation']) ?? 'MONOCHROME2';
    const out: DecodedDicom = { ...header, channels: 1, data: new Uint8Array(0) };
    if (layout.samplesPerPixel === 3) {
      if (layout.bitsAllocated !== 8)
        throw new UnsupportedImageError('dicom', '16-bit colour DICOM', 'unsupported_pixel_layout');
      out.channels = 3;
      out.data = toInterleavedRgb(bytes, layout, photometric);
    } else {
      out.data = toDisplayGrey(storedValues(bytes, layout), {
        rescaleSlope: num(natural['RescaleSlope'], 1),
        rescaleIntercept: num(natural['RescaleIntercept'], 0),
        window: fileWindow(natural),
        monochrome1: photometric === 'MONOCHROME1',
      });
    }
    if (opts.readPatientId) out.patientId = str(natural['PatientID']);
    return out;
  }

  private chooseFrame(frames: number, frame: number | undefined): number {
    if (frame === undefined) {
      if (frames > 1) {
        throw new ImageRejectedError(
          'multi_frame_requires_frame',
          `the DICOM object has ${frames} frames: choose one with the "frame" field (0-${frames - 1})`,
        );
      }
      return 0;
    }
    if (frame >= frames) {
      throw new ImageRejectedError('frame_out_of_range', `frame ${frame} requested, the object has ${frames}`);
    }
    return frame;
  }

  /**
   * Decompresses (if needed) to explicit VR little endian and returns the chosen frame's bytes, with
   * the photometric interpretation the decoder left them in.
   */
  private async nativeFrame(
    file: Buffer,
    l: PixelLayout,
    frames: number,
    frame: number,
    transferSyntaxUid: string,
  ): Promise<{ bytes: Uint8Array; photometric: string | undefined }> {
    if (transferSyntaxUid === JPEG_LOSSLESS_PROCESS_14) {
      return { bytes: decodeLosslessFrame(file, l, frames, frame), photometric: undefined };
    }
    let pixelData: unknown;
    let photometric: string | undefined;
    try {
      let elements: Natural;
      if (UNCOMPRESSED.has(transferSyntaxUid)) {
        // Read in place, no codec: its WebAssembly heap, once grown by a large file, is never given back.
        const { dcmjs } = dicomLibs();
        const parsed = dcmjs.data.DicomMessage.readFile(asArrayBuffer(file), { noCopy: true });
        elements = dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.dict);
      } else {
        const { NativeCodecs, Transcoder } = dicomLibs().codecs;
        await (DicomDecoder.init ??= NativeCodecs.initializeAsync());
        const transcoder = new Transcoder(asArrayBuffer(file));
        transcoder.transcode(EXPLICIT_VR_LITTLE_ENDIAN);
        elements = transcoder.getElements() as Natural;
      }
      pixelData = elements['PixelData'];
      photometric = str(elements['PhotometricInterpretation']);
    } catch {
      throw new CorruptImageError('cannot decode the DICOM pixel data');
    }
    const parts = (Array.isArray(pixelData) ? pixelData : [pixelData]).filter(
      (p): p is ArrayBuffer => p instanceof ArrayBuffer || ArrayBuffer.isView(p),
    );
    if (parts.length === 0)
      throw new ImageRejectedError('dicom_missing_pixel_data', 'the DICOM object has no pixel data');
    const size = frameBytes(l);
    const chosen = parts.length === frames && frames > 1 ? toBytes(parts[frame]!) : concat(parts.map(toBytes));
    const offset = parts.length === frames && frames > 1 ? 0 : frame * size;
    if (chosen.length < offset + size) {
      throw new CorruptImageError(`pixel data holds ${chosen.length} bytes, a frame needs ${size}`);
    }
    return { bytes: chosen.subarray(offset, offset + size), photometric };
  }
}

function fileWindow(n: Natural): Window | undefined {
  const center = num(n['WindowCenter'], NaN);
  const width = num(n['WindowWidth'], NaN);
  return Number.isFinite(center) && Number.isFinite(width) && width >= 1 ? { center, width } : undefined;
}

/** The file meta and dataset up to the pixel data, naturalized; throws dcmjs's errors as they are. */
export function parseDicomHeader(file: Buffer): { meta: Natural; natural: Natural } {
  const { dcmjs } = dicomLibs();
  const parsed = dcmjs.data.DicomMessage.readFile(asArrayBuffer(file), { untilTag: PIXEL_DATA });
  return {
    meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.meta),
    natural: dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.dict),
  };
}

function toBytes(p: ArrayBuffer | ArrayBufferView): Uint8Array {
  return p instanceof ArrayBuffer ? new Uint8Array(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
}
function concat(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
