import { CorruptImageError, ImageRejectedError } from '../image-codec';

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const PIXEL_DATA_TAG = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
const ITEM = 0xe000fffe;
const SEQUENCE_DELIMITER = 0xe0ddfffe;
const UNDEFINED_LENGTH = 0xffffffff;

/**
 * Checks the Pixel Data element's framing before any codec sees it. The codecs are forgiving in the
 * wrong way: a native element cut short or an RLE fragment missing its tail decodes to a partly
 * zero image instead of failing, and an absurd length field is taken at face value. Here a length
 * must fit in the file, native data must hold every frame, and encapsulated data must be whole
 * items ending in a sequence delimiter (PS3.5 A.4).
 */
export function assertPixelDataIntact(file: Buffer, syntax: string, nativeBytes: number): void {
  const el = findPixelData(file, syntax);
  if (!el) throw new ImageRejectedError('dicom_missing_pixel_data', 'the DICOM object has no pixel data');
  const remaining = file.length - el.valueStart;
  const native = syntax === IMPLICIT_VR_LITTLE_ENDIAN || syntax === '1.2.840.10008.1.2.1';
  if (native) {
    if (el.length === UNDEFINED_LENGTH) throw new CorruptImageError('native pixel data with undefined length');
    if (el.length > remaining) throw new CorruptImageError(`pixel data length ${el.length} exceeds the file`);
    if (el.length < nativeBytes) throw new CorruptImageError(`pixel data holds ${el.length} of ${nativeBytes} bytes`);
    return;
  }
  if (el.length !== UNDEFINED_LENGTH) throw new CorruptImageError('encapsulated pixel data must have undefined length');
  let pos = el.valueStart;
  let items = 0;
  while (pos + 8 <= file.length) {
    const tag = file.readUInt32LE(pos);
    const length = file.readUInt32LE(pos + 4);
    if (tag === SEQUENCE_DELIMITER) {
      if (items < 2) throw new CorruptImageError('encapsulated pixel data has no fragments');
      return;
    }
    if (tag !== ITEM) throw new CorruptImageError('encapsulated pixel data is malformed');
    if (length > file.length - pos - 8) throw new CorruptImageError('encapsulated pixel data is truncated');
    pos += 8 + length;
    items++;
  }
  throw new CorruptImageError('encapsulated pixel data is truncated (no sequence delimiter)');
}

function findPixelData(file: Buffer, syntax: string): { length: number; valueStart: number } | undefined {
  // Skip the preamble and file meta; the first well-formed (7FE0,0010) header is the element.
  for (let at = file.indexOf(PIXEL_DATA_TAG, 132); at >= 0; at = file.indexOf(PIXEL_DATA_TAG, at + 1)) {
    if (syntax === IMPLICIT_VR_LITTLE_ENDIAN) {
      if (at + 8 > file.length) return undefined;
      return { length: file.readUInt32LE(at + 4), valueStart: at + 8 };
    }
    if (at + 12 > file.length) return undefined;
    const vr = file.toString('latin1', at + 4, at + 6);
    if ((vr === 'OB' || vr === 'OW') && file.readUInt16LE(at + 6) === 0) {
      return { length: file.readUInt32LE(at + 8), valueStart: at + 12 };
    }
  }
  return undefined;
}
