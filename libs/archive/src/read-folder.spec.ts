import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryRefusedError } from './errors';
import { readFolder } from './read-folder';
import { buildZip } from './testing/build-zip';
import { collect, LIMITS } from './testing/collect';

describe('readFolder', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dg-archive-folder-'));
    outside = await mkdtemp(join(tmpdir(), 'dg-archive-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    const dir = join(root, 'import');
    await mkdir(join(dir, 'b', 'deep'), { recursive: true });
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'b', 'deep', '2.jpg'), 'two');
    await writeFile(join(dir, 'b', '1.jpg'), 'one');
    await writeFile(join(dir, 'a', 'z.jpg'), 'zed');
    await writeFile(join(dir, 'a.txt'), 'a-text');
    await symlink(join(outside, 'secret.txt'), join(dir, 'link.jpg'));
    await symlink(outside, join(dir, 'linked-dir'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await writeFile(join(dir, 'bad\nname.jpg'), 'x');
    await writeFile(join(dir, 'caf\u00e9.jpg'), 'nfc');
    await writeFile(join(dir, 'cafe\u0301.jpg'), 'nfd');
    await writeFile(join(dir, 'nested.zip'), await buildZip([{ name: 'x.jpg', data: Buffer.from('x') }]));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('walks depth first in code-unit order, names relative with "/", never following links', async () => {
    const entries = await collect(readFolder(join(root, 'import'), LIMITS));
    expect(entries.map((e) => [e.index, e.name, e.refused, e.data?.toString()])).toEqual([
      [0, 'a/z.jpg', undefined, 'zed'],
      [1, 'a.txt', undefined, 'a-text'],
      [2, 'b/1.jpg', undefined, 'one'],
      [3, 'b/deep/2.jpg', undefined, 'two'],
      [4, 'bad\\u000aname.jpg', 'invalid-name', undefined],
      [5, 'cafe\u0301.jpg', undefined, 'nfd'],
      [6, 'caf\u00e9.jpg', 'duplicate-name', undefined],
      [7, 'link.jpg', 'symlink', undefined],
      [8, 'linked-dir', 'symlink', undefined],
      [9, 'nested.zip', undefined, ''],
      [10, 'pipe', 'special-file', undefined],
    ]);
    expect((entries[9]!.error as EntryRefusedError).code).toBe('nested-archive');
    expect(entries[5]!.path).toBe('caf\u00e9.jpg');
    const again = await collect(readFolder(join(root, 'import'), LIMITS));
    expect(again.map((e) => [e.index, e.name])).toEqual(entries.map((e) => [e.index, e.name]));
  });

  it('applies the entry limits to files too', async () => {
    const entries = await collect(
      readFolder(join(root, 'import', 'b'), { ...LIMITS, maxEntryBytes: 2, maxEntries: 1 }),
    );
    expect(entries.map((e) => [e.name, e.refused])).toEqual([
      ['1.jpg', 'entry-too-large'],
      ['deep/2.jpg', 'too-many-entries'],
    ]);
  });
});
