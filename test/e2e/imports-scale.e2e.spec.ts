import { Queue } from 'bullmq';
import { queueConnection } from '@dg/queue';
import { loadConfig, IngestionEnvSchema } from '@dg/config';
import type { PrismaClient } from '@dg/db';
import { buildRawZip, type RawZipEntry } from '../../libs/archive/src/testing/build-zip';
import { smallPng } from '../support/images';
import { importReport, importView, uploadArchive, waitForImport } from '../support/imports';
import {
  seedTenant,
  startIngestion,
  testPrisma,
  type IngestionHarness,
  type SeededTenant,
} from '../support/ingestion-harness';
import { waitFor } from '../support/platform';
import { serviceProcess } from '../support/worker-process';

/**
 * `valid` distinct images, `duplicates` copies of some of them under other names, `corrupt` files
 * that are not decodable images, and `hostile` entries (traversal, absolute, link, nested archive,
 * repeated name), shuffled so each kind is spread through the archive.
 */
async function mixedArchive(seed: number, n: { valid: number; duplicates: number; corrupt: number; hostile: number }) {
  const valid = await Promise.all(Array.from({ length: n.valid }, (_, i) => smallPng(seed + i, 32, 16)));
  const entries: RawZipEntry[] = valid.map((data, i) => ({ name: `scans/${i}.png`, data }));
  for (let i = 0; i < n.duplicates; i++) entries.push({ name: `copies/${i}.png`, data: valid[i % n.valid]! });
  for (let i = 0; i < n.corrupt; i++) {
    entries.push({ name: `broken/${i}.png`, data: Buffer.concat([valid[i]!.subarray(0, 40), Buffer.alloc(30, i)]) });
  }
  const hostile: ((i: number) => RawZipEntry)[] = [
    (i) => ({ name: `../../escape/${i}.png`, data: valid[i]! }),
    (i) => ({ name: `/etc/abs-${i}.png`, data: valid[i]! }),
    (i) => ({ name: `links/${i}.png`, data: Buffer.from('/etc/passwd'), externalAttributes: (0o120777 << 16) >>> 0 }),
    (i) => ({ name: `nested/${i}.zip`, data: buildRawZip([{ name: 'x.png', data: valid[i]! }]) }),
    (i) => ({ name: `scans/${i}.png`, data: valid[(i + 1) % n.valid]! }), // a name already used
  ];
  for (let i = 0; i < n.hostile; i++) entries.push(hostile[i % hostile.length]!(i));
  // Deterministic shuffle, keeping every repeated name after its first use.
  const order = entries.map((e, i) => ({ e, k: (i * 7919) % entries.length }));
  order.sort((x, y) => x.k - y.k);
  const seen = new Set<string>();
  const first = order.filter(({ e }) => !seen.has(String(e.name)) && seen.add(String(e.name)));
  const repeats = order.filter((o) => !first.includes(o));
  return buildRawZip([...first, ...repeats].map((o) => o.e));
}

describe('archive imports at scale and across a crash', () => {
  let prisma: PrismaClient;
  let a: SeededTenant;

  beforeAll(async () => {
    prisma = testPrisma();
    a = await seedTenant(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
  });

  it('imports a 1,000-entry archive with exactly the expected count per outcome', async () => {
    const h: IngestionHarness = await startIngestion();
    try {
      const zip = await mixedArchive(10_000, { valid: 900, duplicates: 50, corrupt: 25, hostile: 25 });
      const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
      expect(r.status).toBe(202);
      const done = await waitForImport(h.url, a.slug, r.body.id, ['completed'], 240_000);
      expect(done.counts).toEqual({
        total: 1000,
        pending: 0,
        imported: 900,
        duplicate: 50,
        refused: 25,
        failed: 25,
        cancelled: 0,
      });
      const report = await importReport(h.url, a.slug, r.body.id);
      expect(report).toHaveLength(1000);
      const imported = report.filter((x) => x.state === 'imported');
      expect(new Set(imported.map((x) => x.imageId)).size).toBe(900);
      const importedIds = new Set(imported.map((x) => x.imageId));
      for (const d of report.filter((x) => x.state === 'duplicate')) expect(importedIds.has(d.duplicateOf)).toBe(true);
      const codes = report.filter((x) => x.state === 'refused').map((x) => x.code);
      expect(new Set(codes)).toEqual(
        new Set(['path-traversal', 'absolute-path', 'symlink', 'nested-archive', 'duplicate-name']),
      );
      expect(await prisma.image.count({ where: { organizationId: a.id, caseId: a.caseId } })).toBeGreaterThanOrEqual(
        900,
      );
    } finally {
      await h.close();
    }
  }, 300_000);

  it('resumes after the ingestion process is killed mid-import: no duplicates, no missing items', async () => {
    const b = await seedTenant(prisma);
    // The same settings for both processes: same bucket, same queues, a short lock so the second
    // takes the killed one's job over quickly.
    const base = await startIngestion({ IMPORT_LOCK_MS: '3000', IMPORT_CONCURRENCY: '2' });
    await base.close();
    const env = { ...base.env, LOG_LEVEL: 'error' };
    const zip = await mixedArchive(20_000, { valid: 240, duplicates: 10, corrupt: 0, hostile: 0 });

    const first = await serviceProcess('ingestion', env);
    let second: Awaited<ReturnType<typeof serviceProcess>> | undefined;
    try {
      const r = await uploadArchive(first.url, b.slug, zip, { caseId: b.caseId });
      expect(r.status).toBe(202);
      const id = r.body.id as string;
      const before = await waitFor(
        'some items imported',
        async () => {
          const v = await importView(first.url, b.slug, id);
          return v.counts.imported >= 40 ? v : undefined;
        },
        120_000,
      );
      expect(before.counts.imported).toBeLessThan(240);
      await first.kill9();

      second = await serviceProcess('ingestion', env);
      const done = await waitForImport(second.url, b.slug, id, ['completed'], 180_000);
      expect(done.counts).toEqual({
        total: 250,
        pending: 0,
        imported: 240,
        duplicate: 10,
        refused: 0,
        failed: 0,
        cancelled: 0,
      });
      const report = await importReport(second.url, b.slug, id);
      expect(report.every((x) => x.state === 'imported' || x.state === 'duplicate')).toBe(true);
      // Exactly one image per distinct file, whatever was in flight when the process died.
      expect(await prisma.image.count({ where: { organizationId: b.id } })).toBe(240);
      expect(new Set(report.filter((x) => x.imageId).map((x) => x.imageId)).size).toBe(240);
      // And exactly one analysis request per imported image.
      const intake = new Queue('intake', {
        connection: queueConnection(loadConfig(IngestionEnvSchema, env)).connection as never,
        prefix: base.env['QUEUE_PREFIX'],
      });
      try {
        const counts = await intake.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
        expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(240);
      } finally {
        await intake.close();
      }
    } finally {
      await first.kill9();
      await second?.kill9();
    }
  }, 300_000);
});
