import { mkdir, mkdtemp, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { folderFingerprint, listFolder, tarFolder } from './folder-tar';

async function untar(stream: AsyncIterable<Uint8Array>): Promise<{ name: string; size: number; data: string }[]> {
  const extract = tar.extract();
  const out: { name: string; size: number; data: string }[] = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.push({ name: entry.header.name, size: entry.header.size, data: Buffer.concat(chunks).toString() });
    }
  })();
  for await (const chunk of stream) {
    if (!extract.write(chunk as Buffer)) await new Promise<void>((r) => extract.once('drain', () => r()));
  }
  extract.end(() => undefined);
  await reading;
  return out;
}

describe('folder as a tar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-cli-folder-'));
    await mkdir(join(dir, 'b-sub'));
    await writeFile(join(dir, 'c.png'), 'ccc');
    await writeFile(join(dir, 'B.png'), 'BB');
    await writeFile(join(dir, 'b-sub', 'a.png'), 'a');
    await writeFile(join(dir, 'empty.png'), '');
    await symlink('/etc/passwd', join(dir, 'evil.png'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists regular files depth first in code-unit order, and sets links aside', async () => {
    const listing = await listFolder(dir);
    expect(listing.files.map((f) => f.rel)).toEqual(['B.png', 'b-sub/a.png', 'c.png', 'empty.png']);
    expect(listing.skipped).toEqual([{ rel: 'evil.png', kind: 'symbolic link' }]);
    expect(listing.bytes).toBe(6);
  });

  it('packs the listed files, names relative with / separators', async () => {
    const listing = await listFolder(dir);
    expect(await untar(tarFolder(listing.files))).toEqual([
      { name: 'B.png', size: 2, data: 'BB' },
      { name: 'b-sub/a.png', size: 1, data: 'a' },
      { name: 'c.png', size: 3, data: 'ccc' },
      { name: 'empty.png', size: 0, data: '' },
    ]);
  });

  it('fails rather than send a file that changed after the listing', async () => {
    const listing = await listFolder(dir);
    await truncate(join(dir, 'c.png'), 1);
    await expect(untar(tarFolder(listing.files))).rejects.toThrow('c.png changed while the folder was being sent');
  });

  it('fingerprints names, sizes and times', async () => {
    const before = folderFingerprint(await listFolder(dir));
    expect(folderFingerprint(await listFolder(dir))).toBe(before);
    await utimes(join(dir, 'c.png'), new Date('2020-01-01'), new Date('2020-01-01'));
    const touched = folderFingerprint(await listFolder(dir));
    expect(touched).not.toBe(before);
    await writeFile(join(dir, 'd.png'), 'd');
    expect(folderFingerprint(await listFolder(dir))).not.toBe(touched);
  });
});
