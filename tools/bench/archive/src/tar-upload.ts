import * as tar from 'tar-stream';
import { multipartBody, type MultipartBody } from '../../../cli/src/multipart';

/**
 * A tar of `count` entries made by `entry(i)` while it is read (never the whole archive in memory),
 * wrapped as the `archive` part of a multipart body, also streamed (the CLI's own multipart writer).
 */
export function streamedTarUpload(
  count: number,
  entry: (i: number) => Buffer,
  fields: Record<string, string> = {},
): MultipartBody {
  const pack = tar.pack();
  void (async () => {
    for (let i = 0; i < count; i++) {
      const data = entry(i);
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: `archive/${String(i).padStart(6, '0')}.jpg`, size: data.length }, data, (e) =>
          e ? reject(e) : resolve(),
        ),
      );
    }
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return multipartBody(fields, [
    {
      name: 'archive',
      fileName: 'bench.tar',
      contentType: 'application/x-tar',
      content: pack as AsyncIterable<Uint8Array>,
    },
  ]);
}

/** `POST /v1/imports` with a streamed multipart body; the import's id. */
export async function postImport(url: string, key: string, upload: MultipartBody): Promise<string> {
  const res = await fetch(`${url}/v1/imports`, {
    method: 'POST',
    body: upload.stream as unknown as RequestInit['body'],
    headers: { authorization: `Bearer ${key}`, 'content-type': upload.contentType },
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export interface ImportProgress {
  status: string;
  counts: Record<string, number | null>;
  error: string | null;
}

/** Polls until the import is completed; throws if it fails. `onStatus` sees each new status. */
export async function waitCompleted(
  url: string,
  key: string,
  id: string,
  onStatus: (status: string) => void = () => undefined,
): Promise<ImportProgress> {
  let last = '';
  for (;;) {
    const res = await fetch(`${url}/v1/imports/${id}`, { headers: { authorization: `Bearer ${key}` } });
    const v = (await res.json()) as ImportProgress;
    if (v.status !== last) onStatus((last = v.status));
    if (v.status === 'completed') return v;
    if (['failed', 'cancelled'].includes(v.status)) throw new Error(`import ${v.status}: ${v.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
