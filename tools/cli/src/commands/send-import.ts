import { createReadStream } from 'node:fs';
import type { Created, IngestionClient } from '../http-client';
import { tarFolder } from '../folder-tar';
import type { ImportOptions, ImportSource, Manifest } from '../import-source';
import { multipartBody, type FilePart } from '../multipart';
import type { Progress } from '../progress';

export interface SendImport {
  source: ImportSource;
  options: ImportOptions;
  /** The multipart text fields (as the user wrote them; the options are their parsed form). */
  fields: Record<string, string>;
  manifest?: Manifest;
  key: string;
  signal?: AbortSignal;
}

/**
 * Starts the import on the server: a local archive or folder streamed as the multipart `archive`
 * part (a folder packed into a tar on the way), an s3:// source as JSON.
 */
export async function sendImport(client: IngestionClient, req: SendImport, progress: Progress): Promise<Created> {
  const { source, manifest } = req;
  if (source.kind === 's3') {
    const { dryRun, ...rest } = req.options;
    return client.createFromS3(
      {
        source: source.uri,
        ...rest,
        ...(dryRun ? { dryRun } : {}),
        ...(manifest?.kind === 's3' ? { manifestUri: manifest.uri } : {}),
        ...(manifest?.kind === 'file' ? { manifest: { format: manifest.format, content: manifest.content } } : {}),
      },
      req.key,
      req.signal,
    );
  }
  const files: FilePart[] = [];
  if (manifest?.kind === 'file') {
    files.push({
      name: 'manifest',
      fileName: `manifest.${manifest.format}`,
      contentType: manifest.format === 'csv' ? 'text/csv' : 'application/json',
      content: Buffer.from(manifest.content, 'utf8'),
    });
  }
  const archive =
    source.kind === 'file'
      ? { bytes: source.size, content: lazy(() => createReadStream(source.path)) }
      : { bytes: source.listing.bytes, content: lazy(() => tarFolder(source.listing.files)) };
  files.push({
    name: 'archive',
    fileName: source.fileName,
    contentType: source.kind === 'folder' ? 'application/x-tar' : 'application/octet-stream',
    content: archive.content,
  });
  const body = multipartBody(req.fields, files, (sent) => progress.uploading(sent, archive.bytes));
  try {
    return await client.upload(body.stream, body.contentType, req.key, req.signal);
  } finally {
    progress.end();
  }
}

/** Opens the source only when the body gets to it, so an upload stopped before then leaves nothing open. */
async function* lazy(open: () => AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* open();
}
