import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ImageView } from '@dg/contracts';
import { issueApiKey, type PrismaClient } from '@dg/db';
import { RetentionTask } from '@dg/http';
import { buildDicom } from '../../libs/imaging/src/testing/build-dicom';
import {
  call,
  listBucket,
  seedCase,
  seedTenant,
  startIngestion,
  testPrisma,
  uploadImage,
  type IngestionHarness,
  type SeededTenant,
  authFor,
} from '../support/ingestion-harness';
import { panoramicPng, photoJpeg } from '../support/images';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A phone photo with EXIF GPS, XMP and an ICC profile: everything the derivative must drop. */
async function phoneJpeg(): Promise<Buffer> {
  return sharp(await photoJpeg(7))
    .withMetadata({
      exif: {
        IFD0: { Artist: 'Patient Jane Doe', Copyright: 'Smile Clinic' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      },
    })
    .withIccProfile('p3')
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>Patient Jane Doe</rdf:Description></rdf:RDF></x:xmpmeta>',
    )
    .jpeg()
    .toBuffer();
}

describe('ingestion over HTTP, on real PostgreSQL and S3', () => {
  let h: IngestionHarness;
  let prisma: PrismaClient;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    prisma = testPrisma();
    [a, b] = [await seedTenant(prisma), await seedTenant(prisma)];
    h = await startIngestion();
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  it('takes a phone JPEG, derives a clean 896 PNG and thumbnail, keeps the original as received', async () => {
    const jpeg = await phoneJpeg();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const up = await uploadImage(h, a.slug, jpeg, { caseId: a.caseId });
    expect(up.status).toBe(201);
    const image = up.body as ImageView;
    expect(image).toMatchObject({ format: 'jpeg', modality: 'intraoral-photo', sha256: sha(jpeg), originalKept: true });
    expect(image.normalizedKey).toMatch(/^derivatives\/[0-9a-f]{64}\.png$/);
    expect(image.thumbnailKey).toMatch(/^thumbnails\/[0-9a-f]{64}\.jpg$/);

    const original = await fetch(`${h.url}/v1/images/${image.id}/original`, { headers: authFor(a.slug) });
    expect(Buffer.from(await original.arrayBuffer()).equals(jpeg)).toBe(true);
    for (const variant of ['normalized', 'thumbnail']) {
      const res = await fetch(`${h.url}/v1/images/${image.id}/${variant}`, { headers: authFor(a.slug) });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect([meta.exif, meta.icc, meta.xmp]).toEqual([undefined, undefined, undefined]);
      expect(bytes.includes(Buffer.from('Jane Doe'))).toBe(false);
      if (variant === 'normalized') expect([meta.width, meta.height]).toEqual([896, 896]);
      // Content-addressed: the key is the digest of the bytes.
      expect(variant === 'normalized' ? image.normalizedKey : image.thumbnailKey).toContain(sha(bytes));
    }
    expect(await listBucket(h.bucket)).toEqual(
      [`originals/${a.id}/${sha(jpeg)}`, image.normalizedKey, image.thumbnailKey].sort(),
    );
  });

  it.each([
    ['png', () => panoramicPng(3, 800, 400), 'panoramic'],
    [
      'tiff (16-bit grey)',
      () =>
        sharp({ create: { width: 900, height: 420, channels: 3, background: '#666' } })
          .toColourspace('grey16')
          .tiff()
          .toBuffer(),
      'panoramic',
    ],
    [
      'webp',
      () =>
        sharp({ create: { width: 300, height: 200, channels: 3, background: '#c33' } })
          .webp()
          .toBuffer(),
      'intraoral-photo',
    ],
    ['dicom (JPEG 2000)', () => buildDicom({ rows: 200, columns: 400 }, '1.2.840.10008.1.2.4.90'), 'panoramic'],
    [
      'dicom (JPEG-LS, IO)',
      () => buildDicom({ rows: 300, columns: 240, modality: 'IO' }, '1.2.840.10008.1.2.4.80'),
      'periapical',
    ],
  ])('takes %s', async (_name, make, modality) => {
    const up = await uploadImage(h, a.slug, await make(), { caseId: a.caseId });
    expect(up.status).toBe(201);
    expect(up.body.modality).toBe(modality);
  });

  it("lets the client's modality win", async () => {
    const up = await uploadImage(h, a.slug, await panoramicPng(4, 500, 250), { caseId: a.caseId, modality: 'other' });
    expect(up.body).toMatchObject({ modality: 'other' });
  });

  it('dedups: the same bytes from the same tenant are 200 with the existing image; another tenant gets its own', async () => {
    const png = await panoramicPng(5, 600, 300);
    const first = await uploadImage(h, a.slug, png, { caseId: a.caseId });
    const again = await uploadImage(h, a.slug, png, { caseId: a.caseId });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    const otherCase = await uploadImage(h, a.slug, png, { caseId: await seedCase(prisma, a.id, a.patientExternalId) });
    expect(otherCase).toMatchObject({ status: 200, body: { id: first.body.id, caseId: a.caseId } });
    // Filed for one patient, the same bytes for another patient's case are a mistake somewhere:
    // 409, nothing written, rather than another patient's image handed back.
    const otherPatient = await uploadImage(h, a.slug, png, { caseId: await seedCase(prisma, a.id, 'PMS-OTHER') });
    expect(otherPatient).toMatchObject({ status: 409, body: { code: 'image_of_another_patient' } });
    expect(otherPatient.body.message).toContain(first.body.id);
    const other = await uploadImage(h, b.slug, png, { caseId: b.caseId });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
    expect(await prisma.image.count({ where: { sha256: sha(png) } })).toBe(2);
  });

  it('concurrent identical uploads make one image', async () => {
    const png = await panoramicPng(6, 640, 320);
    const answers = await Promise.all([1, 2, 3, 4].map(() => uploadImage(h, a.slug, png, { caseId: a.caseId })));
    expect(answers.map((x) => x.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((x) => x.body.id)).size).toBe(1);
  });

  it('honours Idempotency-Key: replay returns the stored answer, a different body is 422', async () => {
    const png = await panoramicPng(8, 500, 250);
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const first = await uploadImage(h, a.slug, png, { caseId: a.caseId }, key);
    const replay = await uploadImage(h, a.slug, png, { caseId: a.caseId }, key);
    expect([first.status, replay.status]).toEqual([201, 201]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const changed = await uploadImage(h, a.slug, await panoramicPng(9, 500, 250), { caseId: a.caseId }, key);
    expect(changed).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    // Keys are per tenant: tenant b may use the same key for its own request.
    const otherTenant = await uploadImage(h, b.slug, await panoramicPng(10, 500, 250), { caseId: b.caseId }, key);
    expect(otherTenant.status).toBe(201);
    const bad = await uploadImage(h, a.slug, png, { caseId: a.caseId }, { 'idempotency-key': 'x'.repeat(300) });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_idempotency_key' } });
  });

  it('serves bytes and metadata only to the image tenant, and the original only with its own scope', async () => {
    const up = await uploadImage(h, a.slug, await panoramicPng(11, 500, 250), { caseId: a.caseId });
    for (const path of ['', '/original', '/normalized', '/thumbnail']) {
      const res = await call(`${h.url}/v1/images/${up.body.id}${path}`, { tenant: b.slug });
      expect(res.status).toBe(404);
    }
    const mine = await call(`${h.url}/v1/images/${up.body.id}`, { tenant: a.slug });
    expect(mine).toMatchObject({ status: 200, body: { id: up.body.id, caseId: a.caseId, modality: 'panoramic' } });
    // A read key sees the stripped derivatives; the original as received may identify the patient.
    const { key } = await issueApiKey(prisma, a.id, { name: 'viewer', scopes: ['read'] });
    const viewer = (path: string) =>
      fetch(`${h.url}/v1/images/${up.body.id}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await viewer('/normalized')).status).toBe(200);
    const original = await viewer('/original');
    expect(original.status).toBe(403);
    expect(await original.json()).toMatchObject({
      code: 'insufficient_scope',
      message: expect.stringMatching(/originals/),
    });
  });

  it('refuses a multi-frame DICOM without a frame, takes it with one', async () => {
    const dcm = await buildDicom({ rows: 64, columns: 128, frames: 3 }, '1.2.840.10008.1.2.5');
    const refused = await uploadImage(h, a.slug, dcm, { caseId: a.caseId });
    expect(refused).toMatchObject({ status: 422, body: { code: 'multi_frame_requires_frame' } });
    const taken = await uploadImage(h, a.slug, dcm, { caseId: a.caseId, frame: '2' });
    expect(taken).toMatchObject({ status: 201, body: { format: 'dicom', frame: 2 } });
    // Each frame is an image of its own; the same frame again is the existing one.
    const first = await uploadImage(h, a.slug, dcm, { caseId: a.caseId, frame: '0' });
    expect(first).toMatchObject({ status: 201, body: { frame: 0 } });
    expect(first.body.id).not.toBe(taken.body.id);
    const again = await uploadImage(h, a.slug, dcm, { caseId: a.caseId, frame: '2' });
    expect(again).toMatchObject({ status: 200, body: { id: taken.body.id, frame: 2 } });
  });

  it('matches the DICOM PatientID to the case patient only when asked', async () => {
    const mine = await buildDicom({ rows: 64, columns: 128, patientId: a.patientExternalId, pixel: (x) => x * 3 });
    const ok = await uploadImage(h, a.slug, mine, { caseId: a.caseId, matchPatient: 'true' });
    expect(ok).toMatchObject({ status: 201, body: { patientVerified: true } });
    const someoneElse = await buildDicom({ rows: 64, columns: 128, patientId: 'PMS-9999', pixel: (x) => x * 5 });
    const mismatch = await uploadImage(h, a.slug, someoneElse, { caseId: a.caseId, matchPatient: 'true' });
    expect(mismatch).toMatchObject({ status: 409, body: { code: 'patient_mismatch' } });
    expect(JSON.stringify(mismatch.body)).not.toContain('PMS-9999');
    const notAsked = await uploadImage(h, a.slug, someoneElse, { caseId: a.caseId });
    expect(notAsked).toMatchObject({ status: 201, body: { patientVerified: false } });
    // Known bytes are checked too when asked: the existing image is no answer to a mismatch.
    const knownMismatch = await uploadImage(h, a.slug, someoneElse, { caseId: a.caseId, matchPatient: 'true' });
    expect(knownMismatch).toMatchObject({ status: 409, body: { code: 'patient_mismatch' } });
  });

  it('accepts only ALLOWED_FORMATS: another supported type is 415 naming it and what is accepted', async () => {
    const strict = await startIngestion({ ALLOWED_FORMATS: 'jpeg,dicom' });
    try {
      const webp = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c33' } })
        .webp()
        .toBuffer();
      const refused = await uploadImage(strict, a.slug, webp, { caseId: a.caseId });
      expect(refused).toMatchObject({ status: 415, body: { code: 'unsupported_image_type' } });
      expect(refused.body.message).toMatch(/detected webp; accepted: jpeg, dicom/);
      expect(await listBucket(strict.bucket)).toEqual([]);
      expect((await uploadImage(strict, a.slug, await photoJpeg(31), { caseId: a.caseId })).status).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('without KEEP_ORIGINALS stores only derivatives', async () => {
    const lean = await startIngestion({ KEEP_ORIGINALS: 'false' });
    try {
      const up = await uploadImage(lean, a.slug, await panoramicPng(12, 500, 250), { caseId: a.caseId });
      expect(up.body.originalKept).toBe(false);
      expect(await listBucket(lean.bucket)).toEqual([up.body.normalizedKey, up.body.thumbnailKey].sort());
      const original = await call(`${lean.url}/v1/images/${up.body.id}/original`, { tenant: a.slug });
      expect(original).toMatchObject({ status: 404, body: { code: 'original_not_kept' } });
    } finally {
      await lean.close();
    }
  });

  it('audits every authenticated request: uploads, reads of images and originals, refusals', async () => {
    const t = await seedTenant(prisma, 'PMS-AUDIT');
    const up = await uploadImage(h, t.slug, await panoramicPng(77), { caseId: t.caseId }, { 'x-clinician-id': 'dr-i' });
    expect(up.status).toBe(201);
    expect((await call(`${h.url}/v1/images/${up.body.id}/original`, { tenant: t.slug })).status).toBe(200);
    const refused = await uploadImage(h, t.slug, Buffer.from('not an image at all'), { caseId: t.caseId });
    expect(refused.status).toBe(415);
    expect((await call(`${h.url}/v1/images/${up.body.id}`, { tenant: 'not-a-key' })).status).toBe(401); // no key, no row
    const rows = await prisma.auditLog.findMany({ where: { organizationId: t.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.method, r.route, r.resourceId, r.statusCode])).toEqual([
      ['POST', '/v1/images', up.body.id, 201],
      ['GET', '/v1/images/:id/original', up.body.id, 200],
      ['POST', '/v1/images', null, 415],
    ]);
    expect(rows[0]).toMatchObject({
      clinicianId: 'dr-i',
      ip: '127.0.0.1',
      actor: expect.stringMatching(/^ingestion spec/),
    });
  });
  it('forgets Idempotency-Keys after IDEMPOTENCY_RETENTION_HOURS (24 by default)', async () => {
    const t = await seedTenant(prisma, 'PMS-RETENTION');
    const upload = async (key: string) =>
      uploadImage(h, t.slug, await panoramicPng(88), { caseId: t.caseId }, { 'idempotency-key': key });
    expect((await upload('old')).status).toBe(201);
    expect((await upload('new')).headers.get('idempotent-replayed')).toBeNull(); // another key: the same image, 200
    const records = () =>
      prisma.ingestionIdempotencyRecord.findMany({ where: { organizationId: t.id }, orderBy: { key: 'asc' } });
    expect((await records()).map((r) => r.key)).toEqual(['new', 'old']);
    await prisma.ingestionIdempotencyRecord.updateMany({
      where: { organizationId: t.id, key: 'old' },
      data: { createdAt: new Date(Date.now() - 25 * 3600_000) },
    });
    await h.app.get(RetentionTask).runOnce();
    expect((await records()).map((r) => r.key)).toEqual(['new']);
    expect((await upload('new')).headers.get('idempotent-replayed')).toBe('true');
    expect((await upload('old')).headers.get('idempotent-replayed')).toBeNull(); // forgotten: runs anew
  });
});
