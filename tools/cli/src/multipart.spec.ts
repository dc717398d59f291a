import { Readable } from 'node:stream';
import { multipartBody } from './multipart';

/** What a standard parser (undici's, as in fetch) reads back from the body. */
async function parse(body: { contentType: string; stream: Readable }): Promise<FormData> {
  return new Response(Readable.toWeb(body.stream) as ReadableStream, {
    headers: { 'content-type': body.contentType },
  }).formData();
}

describe('multipartBody', () => {
  it('writes fields and files that a standard parser reads back', async () => {
    async function* archive() {
      yield Buffer.from('PK\x03\x04first-');
      yield Buffer.from('second');
    }
    const seen: number[] = [];
    const body = multipartBody(
      { clinic: 'Zahnarzt "Mitte"\nBerlin', caseId: 'c1' },
      [
        { name: 'manifest', fileName: 'manifest.csv', contentType: 'text/csv', content: Buffer.from('file,x\n') },
        { name: 'archive', fileName: 'a "b".zip', contentType: 'application/octet-stream', content: archive() },
      ],
      (n) => seen.push(n),
    );
    expect(body.contentType).toMatch(/^multipart\/form-data; boundary=dg-cli-[0-9a-f]{32}$/);
    const form = await parse(body);
    expect(form.get('clinic')).toBe('Zahnarzt "Mitte"\nBerlin');
    expect(form.get('caseId')).toBe('c1');
    const manifest = form.get('manifest') as File;
    expect([manifest.name, await manifest.text()]).toEqual(['manifest.csv', 'file,x\n']);
    const file = form.get('archive') as File;
    expect(file.name).toBe('a "b".zip'); // sent as a %22b%22.zip, WHATWG's escaping
    expect(Buffer.from(await file.arrayBuffer()).toString('latin1')).toBe('PK\x03\x04first-second');
    expect(seen.at(-1)).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('passes a file through chunk by chunk, without reading ahead of the consumer', async () => {
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced++;
        yield Buffer.alloc(64 * 1024);
      }
    }
    const body = multipartBody({}, [{ name: 'archive', fileName: 'x.tar', contentType: 'x', content: endless() }]);
    let read = 0;
    for await (const chunk of body.stream) {
      read += (chunk as Buffer).length;
      if (read > 4 * 1024 * 1024) break;
    }
    // Readable.from buffers at most a little ahead of what was consumed.
    expect(produced * 64 * 1024).toBeLessThan(read + 2 * 1024 * 1024);
  });
});
