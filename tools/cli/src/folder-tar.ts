import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';

export interface FolderFile {
  /** Relative, with '/' separators: the name the file gets in the archive. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

export interface FolderListing {
  files: FolderFile[];
  /** Links and special files: never followed, never sent. */
  skipped: { rel: string; kind: 'symbolic link' | 'special file' }[];
  bytes: number;
}

/**
 * The regular files under `dir`, depth first, each folder's names in code-unit order (as the
 * server's folder reader orders them, so the order does not depend on the machine's locale).
 */
export async function listFolder(dir: string): Promise<FolderListing> {
  const out: FolderListing = { files: [], skipped: [], bytes: 0 };
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = join(abs, entry.name);
      if (entry.isDirectory()) await walk(childAbs, childRel);
      else if (entry.isSymbolicLink()) out.skipped.push({ rel: childRel, kind: 'symbolic link' });
      else if (!entry.isFile()) out.skipped.push({ rel: childRel, kind: 'special file' });
      else {
        const st = await lstat(childAbs);
        out.files.push({ rel: childRel, abs: childAbs, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
        out.bytes += st.size;
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** Changes when any file is added, removed, renamed, resized or touched. */
export function folderFingerprint(listing: FolderListing): string {
  const hash = createHash('sha256');
  for (const f of listing.files) hash.update(`${f.rel}\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex');
}

/**
 * The listed files as a tar, packed while it is read: one file open at a time, its bytes passed on
 * with backpressure, so memory stays bounded whatever the folder's size. A file that was swapped for
 * a link or changed size since the listing fails the stream rather than sending something else.
 */
export function tarFolder(files: FolderFile[]): AsyncIterable<Uint8Array> {
  const pack = tar.pack();
  void (async () => {
    for (const f of files) {
      const handle = await open(f.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const st = await handle.stat();
        if (!st.isFile() || st.size !== f.size) throw new Error(`${f.rel} changed while the folder was being sent`);
        const sink = pack.entry({ name: f.rel, size: f.size, mode: 0o644, mtime: new Date(f.mtimeMs), type: 'file' });
        if (f.size > 0) {
          for await (const chunk of handle.createReadStream({ start: 0, end: f.size - 1, autoClose: false })) {
            if (!sink.write(chunk as Buffer)) await drained(sink, pack);
          }
        }
        await new Promise<void>((resolve, reject) =>
          sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      } finally {
        await handle.close();
      }
    }
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return pack as AsyncIterable<Uint8Array>;
}

/** The sink can take more; or the whole pack was closed (the upload stopped), which ends the packing. */
function drained(sink: NodeJS.EventEmitter, pack: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      pack.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      sink.off('drain', onDrain);
      reject(new Error('the tar stream was closed'));
    };
    sink.once('drain', onDrain);
    pack.once('close', onClose);
  });
}
