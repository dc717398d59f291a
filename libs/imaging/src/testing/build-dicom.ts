import * as dcmjs from 'dcmjs';
import { NativeCodecs, Transcoder } from 'dcmjs-codecs';
import { EXPLICIT_VR_LITTLE_ENDIAN } from '../dicom/transfer-syntax';

/** Test fixtures only: real DICOM Part 10 files written by dcmjs and encoded by dcmjs-codecs. */
export interface DicomFixture {
  rows: number;
  columns: number;
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  frames?: number;
  samplesPerPixel?: 1 | 3;
  photometric?: string;
  modality?: string;
  windowCenter?: number;
  windowWidth?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  patientId?: string;
  patientName?: string;
  studyInstanceUid?: string;
  /** Pixel value at x, y (frame f); defaults to a diagonal ramp. */
  pixel?: (x: number, y: number, f: number) => number;
  /** Omit the PixelData element entirely. */
  noPixelData?: boolean;
}

export const SOP_DIGITAL_XRAY = '1.2.840.10008.5.1.4.1.1.1.1';

export async function buildDicom(f: DicomFixture, transferSyntaxUid = EXPLICIT_VR_LITTLE_ENDIAN): Promise<Buffer> {
  const bits = f.bitsAllocated ?? 16;
  const spp = f.samplesPerPixel ?? 1;
  const frames = f.frames ?? 1;
  const n = f.rows * f.columns * spp;
  const pixel = f.pixel ?? ((x, y) => (x + y) % (1 << Math.min(bits, 12)));
  const values = bits === 8 ? new Uint8Array(n * frames) : new Uint16Array(n * frames);
  for (let fr = 0; fr < frames; fr++)
    for (let y = 0; y < f.rows; y++)
      for (let x = 0; x < f.columns; x++)
        for (let s = 0; s < spp; s++) values[fr * n + (y * f.columns + x) * spp + s] = pixel(x, y, fr) + s * 20;
  const natural: Record<string, unknown> = {
    SOPClassUID: SOP_DIGITAL_XRAY,
    SOPInstanceUID: '1.2.826.0.1.3680043.8.498.1',
    Modality: f.modality ?? 'PX',
    PatientName: f.patientName ?? 'Doe^Jane',
    PatientID: f.patientId ?? 'PMS-0001',
    PatientBirthDate: '19800101',
    StudyInstanceUID: f.studyInstanceUid ?? '1.2.826.0.1.3680043.8.498.10',
    Rows: f.rows,
    Columns: f.columns,
    BitsAllocated: bits,
    BitsStored: f.bitsStored ?? (bits === 8 ? 8 : 12),
    HighBit: (f.bitsStored ?? (bits === 8 ? 8 : 12)) - 1,
    PixelRepresentation: 0,
    SamplesPerPixel: spp,
    PhotometricInterpretation: f.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2'),
    ...(spp === 3 ? { PlanarConfiguration: 0 } : {}),
    ...(frames > 1 ? { NumberOfFrames: String(frames) } : {}),
    ...(f.windowCenter !== undefined ? { WindowCenter: f.windowCenter, WindowWidth: f.windowWidth } : {}),
    ...(f.rescaleSlope !== undefined
      ? { RescaleSlope: f.rescaleSlope, RescaleIntercept: f.rescaleIntercept ?? 0 }
      : {}),
    ...(f.noPixelData ? {} : { PixelData: [values.buffer], _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' } }),
  };
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SOP_DIGITAL_XRAY,
    MediaStorageSOPInstanceUID: '1.2.826.0.1.3680043.8.498.1',
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.2',
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(natural);
  const part10 = dict.write();
  if (transferSyntaxUid === EXPLICIT_VR_LITTLE_ENDIAN || f.noPixelData) return Buffer.from(part10);
  await NativeCodecs.initializeAsync();
  const t = new Transcoder(part10);
  t.transcode(transferSyntaxUid);
  return Buffer.from(t.getDicomPart10());
}

/** Rewrites the TransferSyntaxUID in the file meta (same length), for unsupported-syntax fixtures. */
export function withTransferSyntax(file: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('same-length UIDs only');
  const out = Buffer.from(file);
  const at = out.indexOf(Buffer.from(from, 'latin1'));
  if (at < 0) throw new Error('transfer syntax not found');
  out.write(to, at, 'latin1');
  return out;
}

/**
 * Replaces the value of a short-length explicit-VR element (e.g. PN, LO) in place, at any length:
 * dcmjs refuses to write over-long values, and hostile files are exactly those.
 */
export function withElementValue(file: Buffer, group: number, element: number, value: string): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16LE(group, 0);
  tag.writeUInt16LE(element, 2);
  const at = file.indexOf(tag, 132);
  if (at < 0) throw new Error('tag not found');
  const oldLength = file.readUInt16LE(at + 6);
  const padded = Buffer.from(value.length % 2 ? `${value} ` : value, 'latin1');
  const header = Buffer.from(file.subarray(at, at + 8));
  header.writeUInt16LE(padded.length, 6);
  return Buffer.concat([file.subarray(0, at), header, padded, file.subarray(at + 8 + oldLength)]);
}
