import { request } from 'node:http';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrismaClient } from '@dg/db';
import { badInputCorpus, type BadInput } from '../support/bad-inputs';
import {
  call,
  listBucket,
  seedTenant,
  startIngestion,
  testPrisma,
  uploadImage,
  type IngestionHarness,
  type SeededTenant,
  authFor,
} from '../support/ingestion-harness';
import { waitFor } from '../support/platform';

const GiB = 1024 ** 3;

/**
 * A corpus of broken and hostile files, generated here: each must get a 4xx with a stable code,
 * never a 5xx; the service stays healthy; and nothing is stored (no row, no object, no temp file).
 */
describe('bad input never gets past ingestion', () => {
  let prisma: PrismaClient;
  let t: SeededTenant;
  let h: IngestionHarness;
  let spool: string;
  let corpus: BadInput[];

  const nothingStored = async () => {
    expect(await prisma.image.count({ where: { organizationId: t.id } })).toBe(0);
    expect(await listBucket(h.bucket)).toEqual([]);
    expect(await readdir(spool)).toEqual([]);
  };
  const healthy = async () => {
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${h.url}/health/ready`)).status).toBe(200);
  };

  beforeAll(async () => {
    prisma = testPrisma();
    t = await seedTenant(prisma);
    spool = await mkdtemp(join(tmpdir(), 'dg-spool-'));
    h = await startIngestion({ MAX_UPLOAD_BYTES: String(3 * GiB), UPLOAD_TMP_DIR: spool });
    corpus = await badInputCorpus();
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  it('has at least 40 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it('answers every file with the expected 4xx and a code, stores nothing, stays healthy', async () => {
    const outcomes: string[] = [];
    for (const input of corpus) {
      const res = await uploadImage(h, t.slug, input.bytes, { caseId: t.caseId, ...input.fields });
      const ok =
        res.status >= 400 &&
        res.status < 500 &&
        (input.status === undefined || res.status === input.status) &&
        (input.code === undefined || res.body?.code === input.code) &&
        typeof res.body?.code === 'string';
      if (!ok) outcomes.push(`${input.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(outcomes).toEqual([]);
    await nothingStored();
    await healthy();
  });

  it('refuses malformed requests the same way', async () => {
    const notMultipart = await call(`${h.url}/v1/images`, {
      method: 'POST',
      tenant: t.slug,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart).toMatchObject({ status: 415, body: { code: 'multipart_required' } });
    const noFile = new FormData();
    noFile.append('caseId', t.caseId);
    expect(await call(`${h.url}/v1/images`, { method: 'POST', tenant: t.slug, body: noFile })).toMatchObject({
      status: 400,
      body: { code: 'file_required' },
    });
    const wrongField = new FormData();
    wrongField.append('caseId', t.caseId);
    wrongField.append('picture', new Blob([new Uint8Array([1, 2, 3])]), 'x.png');
    expect(await call(`${h.url}/v1/images`, { method: 'POST', tenant: t.slug, body: wrongField })).toMatchObject({
      status: 400,
      body: { code: 'unexpected_file_field' },
    });
    const badBoundary = await call(`${h.url}/v1/images`, {
      method: 'POST',
      tenant: t.slug,
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
      body: '--abc\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nunterminated',
    });
    expect(badBoundary.status).toBeGreaterThanOrEqual(400);
    expect(badBoundary.status).toBeLessThan(500);
    await nothingStored();
    await healthy();
  });

  it('refuses a file over MAX_UPLOAD_BYTES while streaming, and a stalled upload after UPLOAD_TIMEOUT_MS', async () => {
    const small = await startIngestion({
      MAX_UPLOAD_BYTES: String(1024 * 1024),
      UPLOAD_TMP_DIR: spool,
      UPLOAD_TIMEOUT_MS: '1500',
      S3_BUCKET: h.bucket,
    });
    try {
      const big = await uploadImage(small, t.slug, Buffer.alloc(3 * 1024 * 1024, 0xff), { caseId: t.caseId });
      expect(big).toMatchObject({ status: 413, body: { code: 'file_too_large' } });
      const stalled = await rawUpload(small.url, t.slug, {
        declared: 10 * 1024 * 1024,
        send: 64 * 1024,
        then: 'stall',
      });
      expect(stalled.status).toBe(408);
      expect(stalled.body).toMatch(/upload_timeout/);
      await nothingStored();
    } finally {
      await small.close();
    }
  });

  it('survives a 2 GB upload cut off halfway: streamed, never held in memory, nothing left behind', async () => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      const cut = await rawUpload(h.url, t.slug, { declared: 2 * GiB, send: 1 * GiB, then: 'abort' });
      expect(cut.status).toBe(0); // the client hung up: there is nobody to answer
    } finally {
      clearInterval(sampler);
    }
    // Client and server share this process: 1 GiB went through it, the footprint stayed small.
    expect(peak - rssBefore).toBeLessThan(300 * 1024 * 1024);
    // The spool file is removed once the server sees the connection drop.
    await waitFor('the spool emptied', async () => ((await readdir(spool)).length === 0 ? true : undefined));
    await nothingStored();
    await healthy();
  });

  /** A multipart upload written by hand so the body can be bigger than memory, stall or abort. */
  function rawUpload(
    base: string,
    tenant: string,
    o: { declared: number; send: number; then: 'abort' | 'stall' },
  ): Promise<{ status: number; body: string }> {
    const boundary = 'dgboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="caseId"\r\n\r\n${t.caseId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.dcm"\r\n\r\n`,
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x42);
    return new Promise((resolve) => {
      const req = request(`${base}/v1/images`, {
        method: 'POST',
        headers: {
          ...authFor(tenant),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + o.declared),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', () => resolve({ status: 0, body: '' }));
      req.write(head);
      let sent = 0;
      const pump = () => {
        while (sent < o.send) {
          const piece = chunk.subarray(0, Math.min(chunk.length, o.send - sent));
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        if (o.then === 'abort') req.destroy();
      };
      pump();
    });
  }
});
