import { constants, Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ArchiveEntry, Candidate, EntryBytes, EntryScreen } from './archive-entry';
import type { ArchiveLimits } from './limits';

/**
 * A local folder read like an archive, under the same rules: depth first, each folder's names in
 * code-unit order (not locale order, which varies by machine), so indexes are stable. Links are
 * refused, never followed: a link to /etc/passwd inside an import folder is an attack.
 */
export async function* readFolder(dir: string, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  if (!(await lstat(dir)).isDirectory()) throw new Error('readFolder needs a directory');
  const screen = new EntryScreen(limits);
  for await (const { rel, abs, dirent } of walk(dir, '')) {
    const screened = screen.screen(await describe(rel, abs, dirent), fileBytes(abs));
    yield screened.entry;
    await screened.settle();
  }
}

async function* walk(abs: string, rel: string): AsyncGenerator<{ rel: string; abs: string; dirent: Dirent }> {
  // One folder's listing is held at a time (readdir has no sorted streaming form).
  const dirents = await readdir(abs, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of dirents) {
    const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
    const childAbs = join(abs, dirent.name);
    if (dirent.isDirectory()) yield* walk(childAbs, childRel);
    else yield { rel: childRel, abs: childAbs, dirent };
  }
}

async function describe(rawName: string, abs: string, dirent: Dirent): Promise<Candidate> {
  if (dirent.isSymbolicLink()) return { rawName, kind: 'symlink' };
  if (!dirent.isFile()) {
    const kindDetail = dirent.isFIFO()
      ? 'fifo'
      : dirent.isSocket()
        ? 'socket'
        : dirent.isCharacterDevice()
          ? 'character-device'
          : 'block-device';
    return { rawName, kind: 'special', kindDetail };
  }
  return { rawName, kind: 'file', declaredSize: (await lstat(abs)).size };
}

function fileBytes(abs: string): EntryBytes {
  let stream: Readable | undefined;
  return {
    pipeTo(into: Writable) {
      // O_NOFOLLOW, then fstat on the open file: a file swapped for a link or a fifo between the
      // listing and this open is refused instead of followed (or blocked on).
      open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
        .then(async (file) => {
          try {
            if (!(await file.stat()).isFile()) throw new Error('the file changed type since it was listed');
          } catch (error) {
            await file.close();
            throw error;
          }
          if (into.destroyed) return file.close();
          stream = file.createReadStream();
          stream.on('error', (error) => into.destroy(error));
          into.on('close', () => stream?.destroy());
          stream.pipe(into);
        })
        .catch((error: Error) => into.destroy(error));
    },
    async discard() {
      stream?.destroy();
    },
  };
}
