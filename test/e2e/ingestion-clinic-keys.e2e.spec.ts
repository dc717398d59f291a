import { issueApiKey, type PrismaClient } from '@dg/db';
import { smallPng } from '../support/images';
import {
  call,
  seedTenant,
  startIngestion,
  testPrisma,
  uploadImage,
  type IngestionHarness,
  type SeededTenant,
} from '../support/ingestion-harness';

/**
 * A key restricted to one clinic sees in ingestion what it sees in case-api: that clinic's cases and
 * the images filed under them. Everything else is not found (404), never written to, and archive
 * imports, which file cases under any clinic, need an organization-wide key (403).
 */
describe('ingestion with a clinic-restricted API key', () => {
  let h: IngestionHarness;
  let prisma: PrismaClient;
  let org: SeededTenant;
  let mine: string;
  let theirs: string;
  let clinicKey: Record<string, string>;

  beforeAll(async () => {
    prisma = testPrisma();
    org = await seedTenant(prisma, 'PMS-CLINIC-1');
    h = await startIngestion();
    const clinic = async (name: string) => (await prisma.clinic.create({ data: { organizationId: org.id, name } })).id;
    const [a, b] = [await clinic('Praxis Nord'), await clinic('Praxis Süd')];
    // The same patient has a case in each clinic (a chain's patient who moved).
    const patientId = (await prisma.case.findUniqueOrThrow({ where: { id: org.caseId } })).patientId;
    const kase = async (clinicId: string) =>
      (await prisma.case.create({ data: { organizationId: org.id, patientId, clinicId } })).id;
    [mine, theirs] = [await kase(a), await kase(b)];
    const key = await issueApiKey(prisma, org.id, {
      name: 'nord front desk',
      scopes: ['read', 'write', 'originals'],
      clinicId: a,
    });
    clinicKey = { authorization: `Bearer ${key.key}` };
  });

  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  const get = (path: string, headers: Record<string, string> = clinicKey) =>
    call(`${h.url}${path}`, { tenant: org.slug, headers });

  it("uploads to its clinic's cases only, and reads only their images", async () => {
    const ours = await uploadImage(h, org.slug, await smallPng(501), { caseId: mine }, clinicKey);
    expect(ours.status).toBe(201);
    expect((await get(`/v1/images/${ours.body.id}`)).status).toBe(200);
    expect((await get(`/v1/images/${ours.body.id}/thumbnail`)).status).toBe(200);

    const refused = await uploadImage(h, org.slug, await smallPng(502), { caseId: theirs }, clinicKey);
    expect(refused).toMatchObject({ status: 404, body: { code: 'case_not_found' } });
    expect(await prisma.image.count({ where: { caseId: theirs } })).toBe(0);

    // Filed under the other clinic with the organization's key: invisible to the clinic's key.
    const other = await uploadImage(h, org.slug, await smallPng(503), { caseId: theirs });
    expect(other.status).toBe(201);
    expect((await get(`/v1/images/${other.body.id}`, {})).status).toBe(200); // the organization's key
    for (const variant of ['', '/original', '/normalized', '/thumbnail']) {
      expect((await get(`/v1/images/${other.body.id}${variant}`)).status).toBe(404);
    }
    // The same bytes sent to its own case of the same patient: not handed the other clinic's image.
    const twin = await uploadImage(h, org.slug, await smallPng(503), { caseId: mine }, clinicKey);
    expect(twin).toMatchObject({ status: 409, body: { code: 'image_in_another_clinic' } });
    expect(JSON.stringify(twin.body)).not.toContain(other.body.id);
    expect(JSON.stringify(twin.body)).not.toContain(theirs);
  });

  it("never replays one clinic's stored answer to another clinic's key reusing its Idempotency-Key", async () => {
    const south = await prisma.case.findUniqueOrThrow({ where: { id: theirs } });
    const southKey = await issueApiKey(prisma, org.id, {
      name: 'sued',
      scopes: ['read', 'write'],
      clinicId: south.clinicId,
    });
    const idem = { 'idempotency-key': `shared-${Date.now()}` };
    const bytes = await smallPng(505);
    const first = await uploadImage(h, org.slug, bytes, { caseId: mine }, { ...clinicKey, ...idem });
    expect(first.status).toBe(201);
    const replay = await uploadImage(h, org.slug, bytes, { caseId: mine }, { ...clinicKey, ...idem });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = { authorization: `Bearer ${southKey.key}`, ...idem };
    const reused = await uploadImage(h, org.slug, bytes, { caseId: mine }, other);
    expect(reused).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    expect(JSON.stringify(reused.body)).not.toContain(first.body.id);
  });

  it("starts and completes direct uploads for its clinic's cases only", async () => {
    const json = (body: unknown, path: string, headers: Record<string, string> = clinicKey) =>
      call(`${h.url}${path}`, {
        method: 'POST',
        tenant: org.slug,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await json({ caseId: mine, sizeBytes: 100 }, '/v1/uploads')).status).toBe(201);
    expect((await json({ caseId: theirs, sizeBytes: 100 }, '/v1/uploads')).status).toBe(404);
    const orgSession = await json({ caseId: theirs, sizeBytes: 100 }, '/v1/uploads', {});
    expect(orgSession.status).toBe(201);
    expect((await json({}, `/v1/uploads/${orgSession.body.id}/complete`)).status).toBe(404);
  });

  it('needs an organization-wide key for archive imports', async () => {
    const listed = await get('/v1/imports');
    expect(listed).toMatchObject({ status: 403, body: { code: 'clinic_restricted_key' } });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await smallPng(504))]), 'a.zip');
    const started = await call(`${h.url}/v1/imports`, {
      method: 'POST',
      tenant: org.slug,
      headers: clinicKey,
      body: form,
    });
    expect(started.status).toBe(403);
    expect(await prisma.archiveImport.count({ where: { organizationId: org.id } })).toBe(0);
    expect((await get('/v1/imports', {})).status).toBe(200);
  });
});
