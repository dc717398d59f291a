import { open } from 'node:fs/promises';
import { ImageRejectedError } from '../image-codec';

const IEND = 0x49454e44;

/**
 * Nothing may follow a PNG's IEND chunk. Decoders stop there, so a ZIP, a script or an HTML page
 * appended to a valid PNG decodes fine and would be kept and served back as the "original": a
 * polyglot. Walks the chunk headers (8 bytes each, never the data); a file cut short before IEND is
 * left to the decoder, which reports it as corrupt.
 */
export async function assertPngEndsAtIend(png: Buffer | string): Promise<void> {
  const file = typeof png === 'string' ? await open(png, 'r') : undefined;
  try {
    const size = file ? (await file.stat()).size : (png as Buffer).length;
    const header = Buffer.alloc(8);
    const readAt = async (pos: number) => {
      if (!file) return (png as Buffer).subarray(pos, pos + 8);
      const { bytesRead } = await file.read(header, 0, 8, pos);
      return header.subarray(0, bytesRead);
    };
    for (let pos = 8; pos + 8 <= size;) {
      const chunk = await readAt(pos);
      const length = chunk.readUInt32BE(0);
      const end = pos + 12 + length;
      if (chunk.readUInt32BE(4) === IEND) {
        if (end < size) {
          throw new ImageRejectedError(
            'trailing_data',
            `the PNG goes on for ${size - end} bytes after its end (IEND): a polyglot or a damaged file`,
          );
        }
        return;
      }
      pos = end;
    }
  } finally {
    await file?.close();
  }
}

/** Signatures of documents and programs that have no business in a DICOM preamble. */
const FOREIGN = ['%PDF', 'PK\x03\x04', '<html', '<!DOCTYPE', '<script', '<?xml', '<svg', '#!/'];
const FOREIGN_AT_START = ['MZ', '\x7fELF'];

/**
 * The 128-byte preamble of a DICOM file is for application profiles (zeros, or a TIFF header in a
 * dual-personality file); a PDF, ZIP, HTML page or executable there makes a file that is a valid
 * DICOM object and something else at once (the PE/PDF-DICOM polyglots of CVE-2019-11687).
 */
export function assertCleanDicomPreamble(head: Buffer): void {
  const preamble = head.subarray(0, 128).toString('latin1');
  const lower = preamble.toLowerCase();
  if (
    FOREIGN.some((sig) => lower.includes(sig.toLowerCase())) ||
    FOREIGN_AT_START.some((sig) => preamble.startsWith(sig))
  ) {
    throw new ImageRejectedError(
      'dicom_preamble_not_image',
      'the DICOM preamble holds another file type (a document, archive, page or program): a polyglot',
    );
  }
}
