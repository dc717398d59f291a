import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile } from './state-file';

describe('StateFile', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dg-cli-state-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const record = (id: string) => ({ id, url: 'http://x', source: '/a.zip', createdAt: '2026-01-01T00:00:00.000Z' });

  it('lives in $DG_STATE_DIR, else ~/.dentalgemma', () => {
    expect(StateFile.locate({ DG_STATE_DIR: '/s' }).path).toBe('/s/imports.json');
    expect(StateFile.locate({ HOME: '/home/u' }).path).toBe('/home/u/.dentalgemma/imports.json');
  });

  it('remembers, replaces and forgets imports by key, in a file only its owner reads', async () => {
    const state = new StateFile(join(dir, 'nested', 'imports.json'));
    expect(await state.get('k1')).toBeUndefined();
    await state.put('k1', record('i1'));
    await state.put('k2', record('i2'));
    await state.put('k1', record('i3'));
    expect(await state.get('k1')).toEqual(record('i3'));
    await state.forget('k2');
    expect(await state.get('k2')).toBeUndefined();
    expect((await stat(state.path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(state.path, 'utf8'))).toEqual({ version: 1, imports: { k1: record('i3') } });
  });

  it('starts afresh from a file that is not JSON', async () => {
    const state = new StateFile(join(dir, 'imports.json'));
    await writeFile(state.path, '{ half');
    expect(await state.get('k1')).toBeUndefined();
    await state.put('k1', record('i1'));
    expect(await state.get('k1')).toEqual(record('i1'));
  });
});
