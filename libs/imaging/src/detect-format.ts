/** Formats the platform decodes. Detected from content only: never the file name or the client's type. */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'tiff', 'webp', 'dicom'] as const;
export type SupportedFormat = (typeof SUPPORTED_FORMATS)[number];

export interface DetectedFormat {
  format: string;
  supported: boolean;
}

const startsWith = (b: Buffer, bytes: number[], at = 0) =>
  b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);
const ascii = (b: Buffer, text: string, at = 0) =>
  b.length >= at + text.length && b.toString('latin1', at, at + text.length) === text;

/**
 * Reads the magic bytes. Unsupported formats are still named (dicom, gif, pdf, zip, svg...) so the
 * 415 answer tells the client what it actually sent.
 */
export function detectFormat(head: Buffer): DetectedFormat {
  const supported = (format: SupportedFormat): DetectedFormat => ({ format, supported: true });
  const other = (format: string): DetectedFormat => ({ format, supported: false });
  if (startsWith(head, [0xff, 0xd8, 0xff])) return supported('jpeg');
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return supported('png');
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]))
    return supported('tiff');
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return supported('webp');
  if (ascii(head, 'DICM', 128)) return supported('dicom');
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return other('gif');
  if (ascii(head, 'BM')) return other('bmp');
  if (ascii(head, '%PDF')) return other('pdf');
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return other('zip');
  if (startsWith(head, [0x1f, 0x8b])) return other('gzip');
  if (ascii(head, 'ftyp', 4)) return other('heif-or-mp4');
  const text = head.toString('utf8', 0, Math.min(head.length, 512)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return other('svg');
  if (text.startsWith('<')) return other('xml-or-html');
  if (head.length === 0) return other('empty');
  return other('unknown');
}
