import type { PrismaClient } from '@dg/db';
import { S3ObjectStore } from '@dg/storage';
import { testEnv } from '@dg/testing';
import { OrphanSweeperService } from '../../apps/ingestion/src/sweeper/orphan-sweeper.service';
import { FailingObjectStore } from '../support/failing-object-store';
import { panoramicPng } from '../support/images';
import {
  freshBucket,
  listBucket,
  seedTenant,
  startIngestion,
  testPrisma,
  uploadImage,
  type IngestionHarness,
  type SeededTenant,
} from '../support/ingestion-harness';

/**
 * Storage or the database failing midway: never a row pointing at a missing object, and the
 * objects left without a row are removed by the sweeper once the grace period has passed.
 */
describe('ingestion durability', () => {
  let prisma: PrismaClient;
  let t: SeededTenant;
  let h: IngestionHarness;
  let store: FailingObjectStore;
  const sweep = () => h.app.get(OrphanSweeperService).sweep();
  const rows = () => prisma.image.count({ where: { organizationId: t.id } });

  beforeAll(async () => {
    prisma = testPrisma();
    t = await seedTenant(prisma);
    const env = testEnv();
    const bucket = await freshBucket();
    store = new FailingObjectStore(
      new S3ObjectStore({
        bucket,
        region: 'us-east-1',
        endpoint: env.S3_ENDPOINT,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        forcePathStyle: true,
      }),
    );
    h = await startIngestion({ S3_BUCKET: bucket, SWEEP_GRACE_MS: '0' }, { objectStore: store });
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  it.each([1, 2, 3])('storage failing on put #%i: 503, no row, orphans swept, then a retry succeeds', async (n) => {
    const png = await panoramicPng(20 + n, 500, 250);
    store.failOnPut(n);
    const failed = await uploadImage(h, t.slug, png, { caseId: t.caseId });
    expect(failed).toMatchObject({ status: 503, body: { code: 'storage_unavailable' } });
    expect(await rows()).toBe(0);
    // The puts run together: the two that did not fail landed, and no row points at them.
    expect((await listBucket(h.bucket)).length).toBe(2);
    expect((await sweep()).length).toBe(2);
    expect(await listBucket(h.bucket)).toEqual([]);

    const retry = await uploadImage(h, t.slug, png, { caseId: t.caseId });
    expect(retry.status).toBe(201);
    expect(await listBucket(h.bucket)).toHaveLength(3);
    // Referenced objects survive a sweep.
    expect(await sweep()).toEqual([]);
    await prisma.image.deleteMany({ where: { organizationId: t.id } });
    await sweep();
  });

  it('the database refusing the row: 5xx, no row, the objects written are swept', async () => {
    // A trigger that raises for this tenant only, so parallel specs are unaffected.
    await prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION dg_spec_fail_image() RETURNS trigger AS $$
      BEGIN
        IF NEW."organizationId" = '${t.id}' THEN RAISE EXCEPTION 'injected database failure'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER dg_spec_fail_image BEFORE INSERT ON "Image" FOR EACH ROW EXECUTE FUNCTION dg_spec_fail_image()`,
    );
    try {
      const res = await uploadImage(h, t.slug, await panoramicPng(30, 500, 250), { caseId: t.caseId });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(await rows()).toBe(0);
      expect(await listBucket(h.bucket)).toHaveLength(3);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS dg_spec_fail_image ON "Image"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION IF EXISTS dg_spec_fail_image()`);
    }
    expect(await sweep()).toHaveLength(3);
    expect(await listBucket(h.bucket)).toEqual([]);
  });

  it('leaves young orphans alone during the grace period', async () => {
    const graceful = await startIngestion({ S3_BUCKET: h.bucket, SWEEP_GRACE_MS: '3600000' });
    try {
      await store.put('derivatives/young-orphan.png', Buffer.from('x'));
      expect(await graceful.app.get(OrphanSweeperService).sweep()).toEqual([]);
      expect(await listBucket(h.bucket)).toEqual(['derivatives/young-orphan.png']);
      expect(await sweep()).toEqual(['derivatives/young-orphan.png']);
    } finally {
      await graceful.close();
    }
  });
});
