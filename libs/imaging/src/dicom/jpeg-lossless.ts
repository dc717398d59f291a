import { Decoder } from 'jpeg-lossless-decoder-js';
import { CorruptImageError } from '../image-codec';
import { frameBytes, type PixelLayout } from './pixel-data';
import { asArrayBuffer } from './array-buffer';
import { dicomLibs } from './dicom-libs';

/** JPEG lossless, non-hierarchical, process 14, any predictor. */
export const JPEG_LOSSLESS_PROCESS_14 = '1.2.840.10008.1.2.4.57';

/**
 * The chosen frame of a process 14 file as native little-endian bytes. dcmjs-codecs decodes only
 * selection value 1 (.70); .57 streams may use any of the seven predictors, which the pure-JS
 * decoder of the OHIF/Cornerstone stack handles. The stream's own size is checked against the
 * dataset's Rows/Columns (already held to the pixel limits) before anything is allocated.
 */
export function decodeLosslessFrame(file: Buffer, l: PixelLayout, frames: number, frame: number): Uint8Array {
  let fragments: ArrayBuffer[];
  try {
    const { dcmjs } = dicomLibs();
    const parsed = dcmjs.data.DicomMessage.readFile(asArrayBuffer(file));
    const pixelData = dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.dict)['PixelData'];
    fragments = (Array.isArray(pixelData) ? pixelData : [pixelData]).filter(
      (p): p is ArrayBuffer => p instanceof ArrayBuffer,
    );
  } catch {
    throw new CorruptImageError('cannot read the DICOM pixel data');
  }
  if (fragments.length === 0) throw new CorruptImageError('the DICOM object has no JPEG pixel data');
  // One item per frame, or (single frame) several fragments of one stream.
  const stream =
    fragments.length === frames
      ? new Uint8Array(fragments[frame]!)
      : Buffer.concat(fragments.map((f) => new Uint8Array(f)));
  const size = sofSize(stream);
  if (!size || size.rows !== l.rows || size.columns !== l.columns || size.components !== l.samplesPerPixel) {
    throw new CorruptImageError("the JPEG stream's size does not match the DICOM Rows/Columns");
  }
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = new Decoder().decode(
      stream.buffer as ArrayBuffer,
      stream.byteOffset,
      stream.byteLength,
      l.bitsAllocated / 8,
    );
  } catch {
    throw new CorruptImageError('cannot decode the JPEG lossless pixel data');
  }
  const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  if (bytes.length < frameBytes(l)) throw new CorruptImageError('the JPEG lossless frame is short');
  return bytes.subarray(0, frameBytes(l));
}

/** Rows, columns and components from the SOF3 segment, walking the marker segments before it. */
function sofSize(s: Uint8Array): { rows: number; columns: number; components: number } | undefined {
  if (s[0] !== 0xff || s[1] !== 0xd8) return undefined;
  for (let pos = 2; pos + 4 <= s.length;) {
    if (s[pos] !== 0xff) return undefined;
    const marker = s[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    const length = (s[pos + 2]! << 8) | s[pos + 3]!;
    if (marker === 0xc3) {
      if (pos + 10 > s.length) return undefined;
      return {
        rows: (s[pos + 5]! << 8) | s[pos + 6]!,
        columns: (s[pos + 7]! << 8) | s[pos + 8]!,
        components: s[pos + 9]!,
      };
    }
    if (marker === 0xda) return undefined; // scan before any frame header
    pos += 2 + length;
  }
  return undefined;
}
