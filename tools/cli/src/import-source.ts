import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { folderFingerprint, listFolder, type FolderListing } from './folder-tar';
import { UsageError } from './args';

/** What `dg import` was pointed at. */
export type ImportSource =
  | { kind: 'file'; path: string; size: number; mtimeMs: number; fileName: string }
  | { kind: 'folder'; path: string; listing: FolderListing; fileName: string }
  | { kind: 's3'; uri: string };

const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;

export async function resolveSource(arg: string, cwd: string): Promise<ImportSource> {
  if (arg.startsWith('s3://')) return { kind: 's3', uri: arg };
  const path = resolve(cwd, arg);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new UsageError(`${arg}: no such file or folder`);
  if (st.isDirectory()) {
    const listing = await listFolder(path);
    if (!listing.files.length) throw new UsageError(`${arg}: the folder has no regular files to import`);
    return { kind: 'folder', path, listing, fileName: `${basename(path) || 'folder'}.tar` };
  }
  if (!st.isFile()) throw new UsageError(`${arg}: not a regular file or folder`);
  if (!ARCHIVE.test(path)) {
    throw new UsageError(`${arg}: expected a .zip, .tar, .tar.gz or .tgz archive, a folder, or an s3:// URI`);
  }
  return { kind: 'file', path, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), fileName: basename(path) };
}

/** A manifest: a local file read whole (the server caps it at 32 MiB), or one already in S3. */
export type Manifest =
  { kind: 'file'; format: 'csv' | 'json'; content: string; sha256: string } | { kind: 's3'; uri: string };

export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export async function readManifest(arg: string, cwd: string, source: ImportSource): Promise<Manifest> {
  if (arg.startsWith('s3://')) {
    if (source.kind !== 's3') throw new UsageError('--manifest s3://… goes with an s3:// source; give a local file');
    return { kind: 's3', uri: arg };
  }
  const path = resolve(cwd, arg);
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new UsageError(`--manifest ${arg}: no such file`);
  if (st.size > MAX_MANIFEST_BYTES) throw new UsageError(`--manifest ${arg}: over the 32 MiB a manifest may have`);
  const content = await readFile(path, 'utf8');
  const format = /\.json$/i.test(path)
    ? 'json'
    : /\.csv$/i.test(path)
      ? 'csv'
      : /^\s*[[{]/.test(content)
        ? 'json'
        : 'csv';
  return { kind: 'file', format, content, sha256: createHash('sha256').update(content).digest('hex') };
}

/** What the import is asked to do, as the API's fields say it. */
export interface ImportOptions {
  clinic?: string;
  caseId?: string;
  modality?: string;
  tasks?: string[];
  dryRun?: boolean;
}

/** Identifies the source as it is now: the same bytes give the same identity, a changed file a new one. */
export function sourceIdentity(source: ImportSource): string {
  switch (source.kind) {
    case 'file':
      return `file:${source.path}:${source.size}:${source.mtimeMs}`;
    case 'folder':
      return `folder:${source.path}:${folderFingerprint(source.listing)}`;
    case 's3':
      return `s3:${source.uri}`;
  }
}

/**
 * The Idempotency-Key of an import: the source's identity with everything asked of it. Running the
 * same command on the same, unchanged source gives the same key, so the server answers with the
 * import it already has instead of starting another.
 */
export function idempotencyKey(source: ImportSource, options: ImportOptions, manifest?: Manifest): string {
  const described = JSON.stringify({
    v: 1,
    source: sourceIdentity(source),
    clinic: options.clinic ?? null,
    caseId: options.caseId ?? null,
    modality: options.modality ?? null,
    tasks: options.tasks ?? null,
    dryRun: options.dryRun ?? false,
    manifest: manifest ? (manifest.kind === 's3' ? manifest.uri : manifest.sha256) : null,
  });
  return `dg-cli-${createHash('sha256').update(described).digest('hex')}`;
}
