/**
 * The bytes as an ArrayBuffer, without copying when the Buffer spans its whole backing store (any
 * Buffer over 4 KiB read from a file or concatenated does): a 250 MB DICOM object was copied twice
 * more just to be parsed. dcmjs and dcmjs-codecs only read what they are given.
 */
export function asArrayBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
