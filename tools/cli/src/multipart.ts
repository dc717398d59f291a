import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface FilePart {
  name: string;
  fileName: string;
  contentType: string;
  /** Small parts (a manifest) as a buffer; the archive as a stream, never held whole. */
  content: Buffer | AsyncIterable<Uint8Array>;
}

export interface MultipartBody {
  contentType: string;
  stream: Readable;
}

/** WHATWG's escaping of names in Content-Disposition (what browsers and undici send). */
const quoted = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * A multipart/form-data body written as it is read: text fields first, then the files in order, each
 * file's bytes passed through chunk by chunk. `onBytes` hears the running total of bytes produced.
 */
export function multipartBody(
  fields: Record<string, string>,
  files: FilePart[],
  onBytes?: (total: number) => void,
  boundary = `dg-cli-${randomBytes(16).toString('hex')}`,
): MultipartBody {
  let total = 0;
  const count = (chunk: Uint8Array) => {
    total += chunk.length;
    onBytes?.(total);
    return chunk;
  };
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const [name, value] of Object.entries(fields)) {
      yield count(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`),
      );
    }
    for (const file of files) {
      yield count(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.name)}"; ` +
            `filename="${quoted(file.fileName)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
        ),
      );
      if (Buffer.isBuffer(file.content)) yield count(file.content);
      else for await (const chunk of file.content) yield count(chunk);
      yield count(Buffer.from('\r\n'));
    }
    yield count(Buffer.from(`--${boundary}--\r\n`));
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    stream: Readable.from(generate(), { objectMode: false }),
  };
}
