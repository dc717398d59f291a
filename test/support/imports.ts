import type { ImportReportRow, ImportStatus, ImportView } from '@dg/contracts';
import { call, type Answer } from './ingestion-harness';
import { waitFor } from './platform';

export interface ArchiveFields {
  [field: string]: string;
}

/** `POST /v1/imports` with the archive (and an optional manifest) as multipart parts. */
export function uploadArchive(
  url: string,
  tenant: string,
  archive: Buffer,
  fields: ArchiveFields = {},
  opts: { manifest?: { text: string; name: string }; fileName?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (opts.manifest) form.append('manifest', new Blob([opts.manifest.text]), opts.manifest.name);
  form.append('archive', new Blob([new Uint8Array(archive)]), opts.fileName ?? 'archive.zip');
  return call(`${url}/v1/imports`, { method: 'POST', body: form, tenant, headers: opts.headers });
}

export async function importView(url: string, tenant: string, id: string): Promise<ImportView> {
  const r = await call(`${url}/v1/imports/${id}`, { tenant });
  if (r.status !== 200) throw new Error(`GET import answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as ImportView;
}

/** Polls the import until it reaches one of `statuses`. */
export function waitForImport(
  url: string,
  tenant: string,
  id: string,
  statuses: ImportStatus[] = ['completed'],
  timeoutMs = 120_000,
): Promise<ImportView> {
  return waitFor(
    `import ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const v = await importView(url, tenant, id);
      if (v.status === 'failed' && !statuses.includes('failed')) throw new Error(`import failed: ${v.error}`);
      return statuses.includes(v.status) ? v : undefined;
    },
    timeoutMs,
  );
}

export async function importReport(url: string, tenant: string, id: string): Promise<ImportReportRow[]> {
  const r = await call(`${url}/v1/imports/${id}/report`, { tenant });
  if (r.status !== 200) throw new Error(`report answered ${r.status}`);
  return r.body as ImportReportRow[];
}
