import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sendImport } from './commands/send-import';
import { IngestionClient } from './http-client';
import { idempotencyKey, resolveSource } from './import-source';
import type { Progress } from './progress';

const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A file of `bytes` zeros that takes no disk (a hole) and reads fast. */
async function sparse(path: string, bytes: number): Promise<void> {
  const f = await open(path, 'w');
  await f.truncate(bytes);
  await f.close();
}

/**
 * An HTTP server that reads and counts the body, as slowly as it arrives, and answers 202. Not the
 * ingestion service: this spec is about the client's memory, and uploading a few hundred MB into
 * the real service's S3 would measure S3.
 */
async function sink(): Promise<{ url: string; received: () => number; server: Server }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: '11111111-2222-4333-8444-555555555555', status: 'queued' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => received, server };
}

/** Samples memory as the bytes go out (the progress callback hears every chunk). */
function sampler(): Progress & { growthMb(): { rss: number; js: number } } {
  gc();
  const held = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, js: m.heapUsed + m.arrayBuffers };
  };
  const before = held();
  const peak = { ...before };
  let next = 0;
  return {
    uploading(sent) {
      if (sent < next) return;
      next = sent + 8 * MB;
      const now = held();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.js = Math.max(peak.js, now.js);
    },
    update: () => undefined,
    end: () => undefined,
    growthMb: () => ({ rss: (peak.rss - before.rss) / MB, js: (peak.js - before.js) / MB }),
  };
}

describe('uploads stream in bounded memory', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof sink>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-cli-mem-'));
    server = await sink();
  });
  afterAll(async () => {
    server?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function upload(arg: string) {
    const source = await resolveSource(arg, dir);
    const client = new IngestionClient({ url: server.url, apiKey: 'k' });
    const progress = sampler();
    const before = server.received();
    try {
      const created = await sendImport(
        client,
        { source, options: {}, fields: { caseId: 'x' }, key: idempotencyKey(source, {}) },
        progress,
      );
      return { created, sent: server.received() - before, growth: progress.growthMb() };
    } finally {
      client.close();
    }
  }

  it('a 400 MB archive file', async () => {
    await sparse(join(dir, 'big.tar'), 400 * MB);
    const { created, sent, growth } = await upload('big.tar');
    expect(created.view.status).toBe('queued');
    expect(sent).toBeGreaterThan(400 * MB);
    expect(growth.rss).toBeLessThan(64);
    expect(growth.js).toBeLessThan(64);
  });

  it('a 400 MB folder, packed into a tar on the way', async () => {
    await mkdir(join(dir, 'folder'));
    for (let i = 0; i < 4; i++) await sparse(join(dir, 'folder', `scan-${i}.dcm`), 100 * MB);
    const { sent, growth } = await upload('folder');
    expect(sent).toBeGreaterThan(400 * MB);
    expect(growth.rss).toBeLessThan(64);
    expect(growth.js).toBeLessThan(64);
  });
});
