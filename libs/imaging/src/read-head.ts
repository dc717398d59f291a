import { open } from 'node:fs/promises';

/** The first bytes of a buffer or a file, for magic-byte detection without reading the whole file. */
export async function readHead(source: Buffer | string, bytes: number): Promise<Buffer> {
  if (typeof source !== 'string') return source.subarray(0, bytes);
  const fh = await open(source, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
