import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidKey,
  assertValidRange,
  ListedObject,
  ObjectInfo,
  ObjectNotFoundError,
  ObjectStore,
  PresignUnsupportedError,
} from './object-store';

/** Writes in progress: `<key>.<uuid>.tmp`. Never listed, so nothing treats them as objects. */
const IN_PROGRESS = /\.[0-9a-f-]{36}\.tmp$/;

/**
 * Objects as files under a root folder: the zero-setup default for one machine. Writes go to a
 * temporary file that is fsynced and renamed, so a crash never leaves a half-written object under
 * its final key.
 */
export class FsObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    assertValidKey(key);
    return join(this.root, key);
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      if (Buffer.isBuffer(body)) {
        await writeFile(tmp, body, { flush: true });
      } else {
        await pipeline(body, createWriteStream(tmp, { flush: true }));
      }
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      throw notFound(error, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch (error) {
      throw notFound(error, key);
    }
    return createReadStream(path);
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Readable> {
    assertValidRange(start, endExclusive);
    const path = this.path(key);
    try {
      await stat(path);
    } catch (error) {
      throw notFound(error, key);
    }
    // createReadStream's end is inclusive, and an empty range cannot be said with it.
    return endExclusive === start ? Readable.from([]) : createReadStream(path, { start, end: endExclusive - 1 });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.path(key));
      return { size: s.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    // Walk only the folder the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (dirPart) assertValidKey(dirPart);
    const start = join(this.root, dirPart);
    for await (const file of walk(start)) {
      const key = relative(this.root, file).split(sep).join('/');
      if (!key.startsWith(prefix) || IN_PROGRESS.test(key)) continue;
      const s = await stat(file).catch(() => undefined);
      if (s) yield { key, size: s.size, lastModified: s.mtime };
    }
  }

  async presignPut(_key: string, _opts: { expiresInSeconds: number }): Promise<string> {
    throw new PresignUnsupportedError('the filesystem store has no presigned URLs; use STORAGE_DRIVER=s3');
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await stat(this.root);
  }
}

async function* walk(dir: string): AsyncIterable<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walk(path);
    else if (e.isFile()) yield path;
  }
}

function notFound(error: unknown, key: string): unknown {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? new ObjectNotFoundError(key) : error;
}
