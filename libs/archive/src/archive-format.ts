export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

/** Bytes a sniffer needs: tar's 'ustar' magic sits at offset 257. */
export const SNIFF_BYTES = 262;

const bytesAt = (b: Buffer, bytes: number[], at = 0) =>
  b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);
const asciiAt = (b: Buffer, text: string, at = 0) =>
  b.length >= at + text.length && b.toString('latin1', at, at + text.length) === text;

const isZip = (b: Buffer) => bytesAt(b, [0x50, 0x4b, 0x03, 0x04]) || bytesAt(b, [0x50, 0x4b, 0x05, 0x06]);
const isGzip = (b: Buffer) => bytesAt(b, [0x1f, 0x8b]);
/** POSIX 'ustar\0' and GNU 'ustar ' both start with these five bytes. */
export const isTar = (b: Buffer) => asciiAt(b, 'ustar', 257);

/**
 * The container format from magic bytes only, never a file name a client chose. gzip is assumed to
 * hold a tar; the tar reader checks that once the stream is inflated.
 */
export function detectArchiveFormat(head: Buffer): ArchiveFormat | undefined {
  if (isZip(head)) return 'zip';
  if (isGzip(head)) return 'tar.gz';
  if (isTar(head)) return 'tar';
  return undefined;
}

/**
 * Names the archive or compressed stream an entry's first bytes start, if any. A nested archive is
 * refused rather than unpacked: its limits would multiply with ours, and a mail-merge of zips inside
 * zips is how "42.zip"-style bombs are built.
 */
export function nestedArchiveKind(head: Buffer): string | undefined {
  // PK\x07\x08 starts a split/spanned zip.
  if (isZip(head) || bytesAt(head, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (isGzip(head)) return 'gzip';
  if (isTar(head)) return 'tar';
  // 'BZh' + block size digit + the block magic (pi) or the end-of-stream magic (sqrt pi) of an empty stream.
  if (
    asciiAt(head, 'BZh') &&
    head.length >= 10 &&
    head[3]! >= 0x31 &&
    head[3]! <= 0x39 &&
    (bytesAt(head, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) || bytesAt(head, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4))
  )
    return 'bzip2';
  if (bytesAt(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (bytesAt(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (asciiAt(head, 'Rar!\x1a\x07')) return 'rar';
  if (bytesAt(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return undefined;
}
