import type { PrismaClient } from '@dg/db';
import { redisOptions } from '@dg/queue';
import { Queue } from 'bullmq';
import { buildDicom } from '../../libs/imaging/src/testing/build-dicom';
import { panoramicPng } from '../support/images';
import {
  call,
  listBucket,
  seedTenant,
  startIngestion,
  testPrisma,
  type IngestionHarness,
  type SeededTenant,
} from '../support/ingestion-harness';

/** Large files: create a session, PUT straight to S3 (s3rver) with the presigned URL, complete. */
describe('presigned direct uploads', () => {
  let prisma: PrismaClient;
  let a: SeededTenant;
  let b: SeededTenant;
  let h: IngestionHarness;

  const json = (tenant: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(`${h.url}${path}`, {
      method: 'POST',
      tenant,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const put = (url: string, bytes: Buffer) => fetch(url, { method: 'PUT', body: new Uint8Array(bytes) });

  beforeAll(async () => {
    prisma = testPrisma();
    [a, b] = [await seedTenant(prisma), await seedTenant(prisma)];
    h = await startIngestion({ MAX_PRESIGNED_UPLOAD_BYTES: String(8 * 1024 * 1024) });
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  it('create -> PUT -> complete gives the same image a multipart upload would; completing again is 200', async () => {
    const dcm = await buildDicom({ rows: 400, columns: 800 }, '1.2.840.10008.1.2.4.70');
    const session = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: dcm.length });
    expect(session).toMatchObject({ status: 201, body: { method: 'PUT', status: 'pending' } });
    expect((await put(session.body.uploadUrl, dcm)).status).toBe(200);
    expect(await listBucket(h.bucket)).toEqual([`incoming/${a.id}/${session.body.id}`]);

    const done = await json(a.slug, `/v1/uploads/${session.body.id}/complete`);
    expect(done).toMatchObject({ status: 201, body: { format: 'dicom', width: 800, height: 400, caseId: a.caseId } });
    // The incoming object is gone; the original sits under the restricted prefix.
    const keys = await listBucket(h.bucket);
    expect(keys.some((k) => k.startsWith('incoming/'))).toBe(false);
    expect(keys).toContain(`originals/${a.id}/${done.body.sha256}`);

    const again = await json(a.slug, `/v1/uploads/${session.body.id}/complete`);
    expect(again).toMatchObject({ status: 200, body: { id: done.body.id } });
    expect(await json(b.slug, `/v1/uploads/${session.body.id}/complete`)).toMatchObject({ status: 404 });
  });

  it('runs the same validation on completion: bad bytes are refused and not kept', async () => {
    const session = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: 100 });
    await put(session.body.uploadUrl, Buffer.from('%PDF-1.7 not an image at all'));
    const done = await json(a.slug, `/v1/uploads/${session.body.id}/complete`);
    expect(done).toMatchObject({ status: 415, body: { code: 'unsupported_image_type' } });
    expect(done.body.message).toMatch(/detected pdf/);
    expect((await listBucket(h.bucket)).filter((k) => k.includes(session.body.id))).toEqual([]);
  });

  it('refuses what is too large, announced or actually PUT', async () => {
    const announced = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: 9 * 1024 * 1024 });
    expect(announced).toMatchObject({ status: 413, body: { code: 'file_too_large' } });
    const session = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: 1000 });
    await put(session.body.uploadUrl, Buffer.alloc(9 * 1024 * 1024, 1));
    const done = await json(a.slug, `/v1/uploads/${session.body.id}/complete`);
    expect(done).toMatchObject({ status: 413, body: { code: 'file_too_large' } });
    expect((await listBucket(h.bucket)).filter((k) => k.includes(session.body.id))).toEqual([]);
  });

  it('completing before anything was PUT is 409; an unknown case is 404', async () => {
    const session = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: 10 });
    expect(await json(a.slug, `/v1/uploads/${session.body.id}/complete`)).toMatchObject({
      status: 409,
      body: { code: 'upload_not_received' },
    });
    expect(await json(a.slug, '/v1/uploads', { caseId: b.caseId, sizeBytes: 10 })).toMatchObject({ status: 404 });
  });

  it('honours Idempotency-Key on create and complete', async () => {
    const png = await panoramicPng(40, 500, 250);
    const key = { 'idempotency-key': `up-${Date.now()}` };
    const first = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: png.length }, key);
    const replay = await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: png.length }, key);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(a.slug, '/v1/uploads', { caseId: a.caseId, sizeBytes: 1 }, key)).toMatchObject({ status: 422 });
    await put(first.body.uploadUrl, png);
    const ck = { 'idempotency-key': `complete-${Date.now()}` };
    const done = await json(a.slug, `/v1/uploads/${first.body.id}/complete`, undefined, ck);
    const doneAgain = await json(a.slug, `/v1/uploads/${first.body.id}/complete`, undefined, ck);
    expect([done.status, doneAgain.status]).toEqual([201, 201]);
    expect(doneAgain.body).toEqual(done.body);
  });

  it('asks case-api (the intake queue) to assess a completed upload that named its tasks, once', async () => {
    const intake = new Queue('intake', {
      connection: redisOptions(h.env['REDIS_URL']!) as never,
      prefix: h.env['QUEUE_PREFIX'],
    });
    try {
      const png = await panoramicPng(41);
      const body = { caseId: a.caseId, sizeBytes: png.length, analyze: ['pathology-classification'] };
      const session = await json(a.slug, '/v1/uploads', body);
      expect(session.status).toBe(201);
      expect((await put(session.body.uploadUrl, png)).status).toBe(200);
      const done = await json(a.slug, `/v1/uploads/${session.body.id}/complete`);
      expect(done.status).toBe(201);
      expect((await json(a.slug, `/v1/uploads/${session.body.id}/complete`)).status).toBe(200);
      const jobs = (await intake.getJobs(['waiting', 'prioritized', 'delayed'])).filter(
        (j) => j.data.imageId === done.body.id,
      );
      expect(jobs.map((j) => j.data)).toEqual([
        {
          tenantId: a.id,
          imageId: done.body.id,
          caseId: a.caseId,
          tasks: ['pathology-classification'],
          lane: 'interactive',
        },
      ]);
      // Not a task: refused when the session is created.
      expect((await json(a.slug, '/v1/uploads', { ...body, analyze: ['bleaching'] })).status).toBe(400);
      // A modality given up front: a task that cannot take it is refused before the PUT.
      const photoTask = { ...body, modality: 'panoramic', analyze: ['clinical-photo-analysis'] };
      expect(await json(a.slug, '/v1/uploads', photoTask)).toMatchObject({
        status: 422,
        body: { code: 'task_input_mismatch' },
      });
    } finally {
      await intake.close();
    }
  });
});
