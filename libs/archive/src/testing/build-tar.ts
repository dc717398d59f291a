import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export type TarFile = Partial<tar.Header> & { name: string; data?: Buffer };

/** A tar from tar-stream's pack; tar-stream writes any name it is given, hostile ones included. */
export async function buildTar(files: TarFile[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { data, ...header } of files) {
    if (data) pack.entry({ ...header, size: data.length }, data);
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A tar of `count` entries of `entryBytes` each, generated while it is read, never held: the
 * memory spec streams hundreds of megabytes through it.
 */
const CHUNK = 64 * 1024;

export function streamTar(count: number, entryBytes: number): Readable {
  const pack = tar.pack();
  void (async () => {
    for (let i = 0; i < count; i++) {
      const sink = pack.entry({ name: `scans/${String(i).padStart(4, '0')}.bin`, size: entryBytes });
      for (let left = entryBytes; left > 0; left -= CHUNK) {
        // A fresh buffer each time, as from a socket: a reader that kept chunks would show it.
        if (!sink.write(Buffer.allocUnsafe(Math.min(CHUNK, left)).fill(i))) {
          await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
        }
      }
      await new Promise<void>((resolve, reject) =>
        sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    }
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return Readable.from(pack);
}
