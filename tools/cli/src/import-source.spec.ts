import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idempotencyKey, readManifest, resolveSource } from './import-source';

describe('import sources and their Idempotency-Key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-cli-source-'));
    await writeFile(join(dir, 'a.zip'), 'PK\x03\x04');
    await writeFile(join(dir, 'notes.txt'), 'x');
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'folder', 'x.png'), 'x');
    await mkdir(join(dir, 'links-only'));
    await symlink(join(dir, 'a.zip'), join(dir, 'links-only', 'l.png'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('tells archives, folders and s3 URIs apart, and refuses the rest as usage errors', async () => {
    expect(await resolveSource('a.zip', dir)).toMatchObject({ kind: 'file', path: join(dir, 'a.zip'), size: 4 });
    expect(await resolveSource('folder', dir)).toMatchObject({ kind: 'folder', fileName: 'folder.tar' });
    expect(await resolveSource('s3://b/k.zip', dir)).toEqual({ kind: 's3', uri: 's3://b/k.zip' });
    await expect(resolveSource('notes.txt', dir)).rejects.toThrow('expected a .zip, .tar, .tar.gz or .tgz');
    await expect(resolveSource('nope.zip', dir)).rejects.toThrow('no such file or folder');
    await expect(resolveSource('links-only', dir)).rejects.toThrow('no regular files');
  });

  it('is the same for the same source and options, and differs when either changes', async () => {
    const zip = await resolveSource('a.zip', dir);
    const key = idempotencyKey(zip, { caseId: 'c' });
    expect(key).toMatch(/^dg-cli-[0-9a-f]{64}$/);
    expect(idempotencyKey(await resolveSource(join(dir, 'a.zip'), '/'), { caseId: 'c' })).toBe(key);
    expect(idempotencyKey(zip, { caseId: 'd' })).not.toBe(key);
    expect(idempotencyKey(zip, { caseId: 'c', dryRun: true })).not.toBe(key);
    const manifest = await (async () => {
      await writeFile(join(dir, 'm.csv'), 'file,patient_external_id\n');
      return readManifest('m.csv', dir, zip);
    })();
    expect(idempotencyKey(zip, { caseId: 'c' }, manifest)).not.toBe(key);
    await utimes(join(dir, 'a.zip'), new Date('2020-01-01'), new Date('2020-01-01'));
    expect(idempotencyKey(await resolveSource('a.zip', dir), { caseId: 'c' })).not.toBe(key);
  });

  it('reads a manifest: format from its name, else its first character; s3 only with an s3 source', async () => {
    const zip = await resolveSource('a.zip', dir);
    await writeFile(join(dir, 'm.json'), '[]');
    await writeFile(join(dir, 'm'), ' [{"file":"a"}]');
    expect(await readManifest('m.json', dir, zip)).toMatchObject({ kind: 'file', format: 'json' });
    expect(await readManifest('m', dir, zip)).toMatchObject({ kind: 'file', format: 'json' });
    await expect(readManifest('s3://b/m.csv', dir, zip)).rejects.toThrow('goes with an s3:// source');
    expect(await readManifest('s3://b/m.csv', dir, { kind: 's3', uri: 's3://b/k/' })).toEqual({
      kind: 's3',
      uri: 's3://b/m.csv',
    });
  });
});
