import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { buildDicom, withTransferSyntax } from '../../libs/imaging/src/testing/build-dicom';

/** One hostile or broken file, and what ingestion must answer (an exact status, or any 4xx). */
export interface BadInput {
  name: string;
  bytes: Buffer;
  fields?: Record<string, string>;
  status?: number;
  code?: string;
}

const crc32 = (buf: Buffer): number => {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
};
const pngChunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A syntactically valid PNG whose header claims width x height, with a tiny compressed IDAT. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey
  return Buffer.concat([
    PNG_SIG,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A deflate-compressed TIFF claiming width x height in one strip of a few KB: a decompression bomb. */
export function tiffBomb(width: number, height: number): Buffer {
  const strip = deflateSync(Buffer.alloc(1024 * 1024));
  const entries: [number, number, number, number][] = [
    [256, 4, 1, width], // ImageWidth (LONG)
    [257, 4, 1, height], // ImageLength
    [258, 3, 1, 8], // BitsPerSample
    [259, 3, 1, 8], // Compression: deflate
    [262, 3, 1, 1], // Photometric: black is zero
    [273, 4, 1, 0], // StripOffsets (patched below)
    [277, 3, 1, 1], // SamplesPerPixel
    [278, 4, 1, height], // RowsPerStrip
    [279, 4, 1, strip.length], // StripByteCounts
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const stripOffset = 8 + ifdSize;
  const head = Buffer.alloc(8 + ifdSize);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === 3) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(tag === 273 ? stripOffset : value, at + 8);
  });
  return Buffer.concat([head, strip]);
}

/** Sets the 4-byte length of the first explicit-VR element with `tag` (group, element) to `length`. */
function dicomWithLength(file: Buffer, group: number, element: number, length: number): Buffer {
  const out = Buffer.from(file);
  const tag = Buffer.alloc(4);
  tag.writeUInt16LE(group, 0);
  tag.writeUInt16LE(element, 2);
  const at = out.indexOf(tag, 132);
  if (at < 0) throw new Error('tag not found');
  const vr = out.toString('latin1', at + 4, at + 6);
  if (['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr)) out.writeUInt32LE(length, at + 8);
  else out.writeUInt16LE(length & 0xffff, at + 6);
  return out;
}

/** Writes `value` into the US element (group, element) of an explicit-VR file. */
function dicomUs(file: Buffer, group: number, element: number, value: number): Buffer {
  const out = Buffer.from(file);
  const tag = Buffer.alloc(4);
  tag.writeUInt16LE(group, 0);
  tag.writeUInt16LE(element, 2);
  const at = out.indexOf(tag, 132);
  if (at < 0) throw new Error('tag not found');
  out.writeUInt16LE(value, at + 8);
  return out;
}

const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));

export async function badInputCorpus(): Promise<BadInput[]> {
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#a52' } })
    .jpeg()
    .toBuffer();
  const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#25a' } })
    .png()
    .toBuffer();
  const tiff = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#5a2' } })
    .tiff()
    .toBuffer();
  const webp = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#aa2' } })
    .webp()
    .toBuffer();
  const dcm = await buildDicom({ rows: 64, columns: 128 });
  const dcmJ2k = await buildDicom({ rows: 64, columns: 128 }, '1.2.840.10008.1.2.4.90');
  const dcmRle = await buildDicom({ rows: 64, columns: 128 }, '1.2.840.10008.1.2.5');
  const dcmJls = await buildDicom({ rows: 64, columns: 128 }, '1.2.840.10008.1.2.4.80');
  const preamble = (body: string) => Buffer.concat([Buffer.from(body.padEnd(128, ' ')), Buffer.from('DICM')]);
  const pngIdatGarbage = Buffer.concat([
    PNG_SIG,
    pngChunk('IHDR', Buffer.from([0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0])),
    pngChunk('IDAT', Buffer.from('this is not zlib data at all, not even close')),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  const badCrc = Buffer.from(png);
  badCrc[29] = badCrc[29]! ^ 0xff; // inside IHDR's CRC

  const corpus: BadInput[] = [
    { name: 'zero bytes', bytes: Buffer.alloc(0), status: 415 },
    { name: 'one byte', bytes: Buffer.from([0xff]), status: 415 },
    { name: 'random bytes', bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 255)), status: 415 },
    { name: 'plain text', bytes: Buffer.from('hello, this is not an image'), status: 415 },
    { name: 'PDF', bytes: Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj'), status: 415 },
    { name: 'ZIP', bytes: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), status: 415 },
    { name: 'GIF', bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), status: 415 },
    { name: 'BMP', bytes: Buffer.from('BM' + '\0'.repeat(60), 'latin1'), status: 415 },
    { name: 'gzip', bytes: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), status: 415 },
    { name: 'HEIF/MP4 box', bytes: Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1'), status: 415 },
    { name: 'HTML', bytes: Buffer.from('<!doctype html><script>alert(1)</script>'), status: 415 },
    {
      name: 'SVG with script',
      bytes: Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>fetch("//x")</script></svg>',
      ),
      status: 415,
    },
    {
      name: 'SVG behind an XML prolog',
      bytes: Buffer.from('<?xml version="1.0"?>\n<svg><script>alert(1)</script></svg>'),
      status: 415,
    },
    { name: 'JPEG SOI only', bytes: Buffer.from([0xff, 0xd8, 0xff]), status: 422 },
    { name: 'truncated JPEG', bytes: half(jpeg), status: 422 },
    {
      name: 'JPEG with only an APP1 header',
      bytes: Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0, 8]),
        Buffer.from('Exif\0\0'),
        Buffer.from([0xff, 0xd9]),
      ]),
      status: 422,
    },
    { name: 'PNG signature only', bytes: PNG_SIG, status: 422 },
    { name: 'truncated PNG', bytes: half(png), status: 422 },
    { name: 'PNG with a bad IHDR CRC', bytes: badCrc, status: 422 },
    { name: 'PNG with garbage IDAT', bytes: pngIdatGarbage, status: 422 },
    {
      name: 'PNG claiming 100k x 100k',
      bytes: pngClaiming(100_000, 100_000),
      status: 413,
      code: 'image_dimensions_exceeded',
    },
    {
      name: 'PNG claiming 20k x 20k (pixel budget)',
      bytes: pngClaiming(20_000, 20_000),
      status: 413,
      code: 'image_too_many_pixels',
    },
    { name: 'TIFF header only', bytes: Buffer.from('II*\0\x08\0\0\0', 'latin1'), status: 422 },
    { name: 'truncated TIFF', bytes: half(tiff), status: 422 },
    { name: 'TIFF bomb (100k x 100k, 1 KB strip)', bytes: tiffBomb(100_000, 100_000), status: 413 },
    {
      name: 'TIFF bomb within the side limit (25k x 25k)',
      bytes: tiffBomb(25_000, 25_000),
      status: 413,
      code: 'image_too_many_pixels',
    },
    { name: 'truncated WebP', bytes: half(webp), status: 422 },
    { name: 'WebP RIFF header only', bytes: Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1'), status: 422 },
    { name: 'DICOM preamble and magic only', bytes: preamble(''), status: 422 },
    { name: 'truncated DICOM header', bytes: dcm.subarray(0, 200), status: 422 },
    { name: 'truncated DICOM pixel data (native)', bytes: dcm.subarray(0, dcm.length - 4000), status: 422 },
    { name: 'truncated DICOM (JPEG 2000)', bytes: half(dcmJ2k), status: 422 },
    { name: 'truncated DICOM (RLE)', bytes: dcmRle.subarray(0, dcmRle.length - 200), status: 422 },
    { name: 'truncated DICOM (JPEG-LS)', bytes: dcmJls.subarray(0, dcmJls.length - 300), status: 422 },
    {
      name: 'DICOM with an absurd pixel-data length',
      bytes: dicomWithLength(dcm, 0x7fe0, 0x0010, 0xfffffff0),
      status: 422,
    },
    {
      name: 'DICOM with an absurd patient-name length',
      bytes: dicomWithLength(dcm, 0x0010, 0x0010, 0xfff0),
      status: 422,
    },
    {
      name: 'DICOM without pixel data',
      bytes: await buildDicom({ rows: 64, columns: 64, noPixelData: true }),
      status: 422,
    },
    {
      name: 'DICOM in explicit big endian (unsupported syntax)',
      bytes: withTransferSyntax(dcm, '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'),
      status: 415,
      code: 'unsupported_transfer_syntax',
    },
    {
      name: 'DICOM claiming 60000 x 60000',
      bytes: dicomUs(dicomUs(dcm, 0x0028, 0x0010, 60000), 0x0028, 0x0011, 60000),
      status: 413,
    },
    { name: 'DICOM with zero rows', bytes: dicomUs(dcm, 0x0028, 0x0010, 0), status: 422 },
    {
      name: 'DICOM with 32 bits allocated',
      bytes: await buildDicomBits32(),
      status: 415,
      code: 'unsupported_pixel_layout',
    },
    {
      name: 'multi-frame DICOM without a frame',
      bytes: await buildDicom({ rows: 16, columns: 16, frames: 2 }),
      status: 422,
      code: 'multi_frame_requires_frame',
    },
    {
      name: 'DICOM frame out of range',
      bytes: await buildDicom({ rows: 16, columns: 16, frames: 2 }),
      fields: { frame: '5' },
      status: 422,
      code: 'frame_out_of_range',
    },
    {
      name: 'polyglot: JPEG magic, HTML body',
      bytes: Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
        Buffer.from('<html><script>alert(1)</script></html>'),
      ]),
      status: 422,
    },
    {
      name: 'polyglot: PNG signature, ZIP body',
      bytes: Buffer.concat([PNG_SIG, Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]),
      status: 422,
    },
    {
      name: 'polyglot: GIF header, JavaScript',
      bytes: Buffer.from('GIF89a=1;alert(document.domain)//', 'latin1'),
      status: 415,
    },
    {
      name: 'polyglot: PDF in the DICOM preamble',
      bytes: Buffer.concat([preamble('%PDF-1.7 1 0 obj'), Buffer.from('garbage after the magic')]),
      status: 422,
    },
    {
      // Decoders stop at IEND: this decodes, and would be kept and served back as two files in one.
      name: 'polyglot: valid PNG with a ZIP appended',
      bytes: Buffer.concat([png, Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(300, 0x41)]),
      status: 422,
      code: 'trailing_data',
    },
    {
      name: 'polyglot: valid DICOM with a PDF in its preamble (CVE-2019-11687)',
      bytes: Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n'.padEnd(128, ' ')), dcm.subarray(128)]),
      status: 422,
      code: 'dicom_preamble_not_image',
    },
    {
      name: 'polyglot: valid DICOM with a Windows program in its preamble',
      bytes: Buffer.concat([Buffer.from('MZ\x90\x00'.padEnd(128, '\x00'), 'latin1'), dcm.subarray(128)]),
      status: 422,
      code: 'dicom_preamble_not_image',
    },
    {
      name: 'matchPatient on a non-DICOM image',
      bytes: png,
      fields: { matchPatient: 'true' },
      status: 422,
      code: 'patient_match_requires_dicom',
    },
  ];
  return corpus;
}

async function buildDicomBits32(): Promise<Buffer> {
  const file = await buildDicom({ rows: 8, columns: 8 });
  return dicomUs(file, 0x0028, 0x0100, 32);
}
