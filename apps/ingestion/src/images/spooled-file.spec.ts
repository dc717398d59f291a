import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MemoryBudget, spool, SpoolLimitError } from './spooled-file';

const KB = 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff));
/** The bytes as a stream of 16 KB chunks, as a socket would deliver them. */
const chunked = (b: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += 16 * KB) yield b.subarray(i, i + 16 * KB);
    })(),
  );

describe('spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps a small upload in memory, hashed, and gives the budget back on dispose', async () => {
    const memory = new MemoryBudget(1024 * KB);
    const data = bytes(100 * KB);
    const f = await spool(chunked(data), { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 256 * KB });
    expect(Buffer.isBuffer(f.content)).toBe(true);
    expect((f.content as Buffer).equals(data)).toBe(true);
    expect(f).toMatchObject({ size: data.length, sha256: sha(data) });
    expect(memory.inUse).toBe(data.length);
    expect(await readdir(dir)).toEqual([]);
    await f.dispose();
    await f.dispose();
    expect(memory.inUse).toBe(0);
  });

  it('spills to a temp file past the per-file cap, with every byte and no memory kept', async () => {
    const memory = new MemoryBudget(1024 * KB);
    const data = bytes(600 * KB, 3);
    const f = await spool(chunked(data), { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 256 * KB });
    expect(typeof f.content).toBe('string');
    expect((await readFile(f.content as string)).equals(data)).toBe(true);
    expect(f).toMatchObject({ size: data.length, sha256: sha(data) });
    expect(memory.inUse).toBe(0);
    await f.dispose();
    expect(await readdir(dir)).toEqual([]);
  });

  it('goes to disk when the shared budget is spent by other uploads', async () => {
    const memory = new MemoryBudget(200 * KB);
    const first = await spool(chunked(bytes(150 * KB)), { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 256 * KB });
    const data = bytes(100 * KB, 5);
    const second = await spool(chunked(data), { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 256 * KB });
    expect(Buffer.isBuffer(first.content)).toBe(true);
    expect(typeof second.content).toBe('string');
    expect((await readFile(second.content as string)).equals(data)).toBe(true);
    expect(memory.inUse).toBe(150 * KB);
    await Promise.all([first.dispose(), second.dispose()]);
    expect(memory.inUse).toBe(0);
  });

  it('sends an upload that declares more than the per-file cap straight to disk', async () => {
    const memory = new MemoryBudget(1024 * KB);
    const data = bytes(16 * KB);
    const f = await spool(chunked(data), {
      dir,
      maxBytes: 1024 * KB,
      memory,
      memoryPerFile: 256 * KB,
      expectedBytes: 300 * KB,
    });
    expect(typeof f.content).toBe('string');
    expect((await readFile(f.content as string)).equals(data)).toBe(true);
    expect(memory.inUse).toBe(0);
    await f.dispose();
  });

  it('writes everything to disk without a budget', async () => {
    const f = await spool(chunked(bytes(10 * KB)), { dir, maxBytes: 1024 * KB });
    expect(typeof f.content).toBe('string');
    await f.dispose();
  });

  it.each([
    ['in memory', 1024 * KB],
    ['after spilling', 64 * KB],
  ])('refuses more than maxBytes %s, leaving no file and no memory taken', async (_, memoryPerFile) => {
    const memory = new MemoryBudget(1024 * KB);
    await expect(
      spool(chunked(bytes(300 * KB)), { dir, maxBytes: 200 * KB, memory, memoryPerFile }),
    ).rejects.toBeInstanceOf(SpoolLimitError);
    expect(memory.inUse).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no file behind when the client goes while the spill file is being opened', async () => {
    for (let trial = 0; trial < 16; trial++) {
      const memory = new MemoryBudget(1024 * KB);
      const source = new Readable({ read: () => undefined }); // pushed to by hand
      const pending = spool(source, { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 32 * KB });
      source.push(bytes(48 * KB)); // the chunk that spills: mkdir + open are under way
      // Fail a varying few ticks later, so that some trials land in the middle of the open.
      for (let t = 0; t < trial % 4; t++) await new Promise((r) => setImmediate(r));
      source.destroy(new Error('client gone'));
      await expect(pending).rejects.toThrow('client gone');
      expect(memory.inUse).toBe(0);
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('cleans up when the source fails midway (client gone)', async () => {
    const memory = new MemoryBudget(1024 * KB);
    const broken = new Readable({ read: () => undefined }); // pushed to by hand
    const pending = spool(broken, { dir, maxBytes: 1024 * KB, memory, memoryPerFile: 32 * KB });
    broken.push(bytes(48 * KB)); // past the per-file cap: on disk by now
    await new Promise((r) => setTimeout(r, 50));
    broken.destroy(new Error('socket hang up'));
    await expect(pending).rejects.toThrow('socket hang up');
    expect(memory.inUse).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});
