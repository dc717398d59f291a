import { PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import type { ImportView } from '@dg/contracts';
import { issueApiKey, type PrismaClient } from '@dg/db';
import { redisOptions } from '@dg/queue';
import { Queue } from 'bullmq';
import { buildTar } from '../../libs/archive/src/testing/build-tar';
import { buildRawZip, buildZip } from '../../libs/archive/src/testing/build-zip';
import { buildDicom } from '../../libs/imaging/src/testing/build-dicom';
import { caseApiWith } from '../support/case-api';
import { smallPng } from '../support/images';
import { importReport, importView, uploadArchive, waitForImport } from '../support/imports';
import {
  call,
  freshBucket,
  listBucket,
  s3Client,
  seedTenant,
  startIngestion,
  testPrisma,
  uploadImage,
  type IngestionHarness,
  type SeededTenant,
} from '../support/ingestion-harness';
import { waitFor } from '../support/platform';

describe('archive imports over HTTP, on real PostgreSQL, Redis and S3', () => {
  let h: IngestionHarness;
  let prisma: PrismaClient;
  let a: SeededTenant;

  beforeAll(async () => {
    prisma = testPrisma();
    a = await seedTenant(prisma);
    h = await startIngestion();
  });
  afterAll(async () => {
    await h?.close();
    await prisma?.$disconnect();
  });

  it('imports a zip: valid, duplicate, corrupt and hostile entries each get their outcome', async () => {
    const [p1, p2, p3] = await Promise.all([smallPng(1), smallPng(2), smallPng(3)]);
    const nested = buildRawZip([{ name: 'inner.png', data: p1 }]);
    const zip = buildRawZip([
      { name: 'pano/one.png', data: p1 },
      { name: 'pano/two.png', data: p2 },
      { name: 'pano/copy-of-one.png', data: p1 },
      { name: 'pano/broken.png', data: p3.subarray(0, 60) },
      { name: '../../etc/evil.png', data: p2 },
      { name: '/abs/evil.png', data: p2 },
      { name: 'link.png', data: Buffer.from('pano/one.png'), externalAttributes: (0o120777 << 16) >>> 0 },
      { name: 'nested.zip', data: nested },
      { name: 'pano/two.png', data: p3 },
      { name: 'notes.txt', data: Buffer.from('not an image') },
    ]);
    const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
    expect(r.status).toBe(202);
    const done = await waitForImport(h.url, a.slug, r.body.id);
    expect(done.counts).toEqual({
      total: 10,
      pending: 0,
      imported: 2,
      duplicate: 1,
      refused: 5,
      failed: 2,
      cancelled: 0,
    });
    const report = await importReport(h.url, a.slug, r.body.id);
    const by = (file: string) => report.filter((x) => x.file === file);
    expect(by('pano/one.png')[0]).toMatchObject({ state: 'imported', caseId: a.caseId });
    expect(by('pano/copy-of-one.png')[0]).toMatchObject({
      state: 'duplicate',
      duplicateOf: by('pano/one.png')[0]!.imageId,
    });
    expect(by('pano/two.png').map((x) => x.state)).toEqual(['imported', 'refused']);
    expect(by('pano/two.png')[1]!.code).toBe('duplicate-name');
    expect(by('../../etc/evil.png')[0]!.code).toBe('path-traversal');
    expect(by('/abs/evil.png')[0]!.code).toBe('absolute-path');
    expect(by('link.png')[0]!.code).toBe('symlink');
    expect(by('nested.zip')[0]!.code).toBe('nested-archive');
    expect(by('pano/broken.png')[0]).toMatchObject({ state: 'failed' });
    expect(by('notes.txt')[0]).toMatchObject({ state: 'failed', code: 'unsupported_image_type' });
    const images = await prisma.image.count({ where: { organizationId: a.id } });
    expect(images).toBe(2);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/dentalgemma_import_items_total\{outcome="imported",service="ingestion"\} 2/);
    expect(metrics).toMatch(/dentalgemma_import_items_total\{outcome="refused",service="ingestion"\} 5/);
  });

  it("files images under the manifest's patients and clinics, from a tar.gz", async () => {
    const pngs = await Promise.all([10, 11, 12, 13].map((i) => smallPng(i)));
    const tgz = gzipSync(
      await buildTar([
        { name: 'a/1.png', data: pngs[0] },
        { name: 'a/2.png', data: pngs[1] },
        { name: 'b/3.png', data: pngs[2] },
        { name: 'c/4.png', data: pngs[3] },
      ]),
    );
    const manifest =
      'file,patient_external_id,clinic,acquisition_date\na/1.png,IMP-1,,2019-03-01\na/2.png,IMP-1,,\nb/3.png,IMP-2,North,2020-01-02\n';
    const r = await uploadArchive(
      h.url,
      a.slug,
      tgz,
      {},
      { manifest: { text: manifest, name: 'manifest.csv' }, fileName: 'x.tgz' },
    );
    expect(r.status).toBe(202);
    expect(r.body.format).toBe('tar.gz');
    const done = await waitForImport(h.url, a.slug, r.body.id);
    expect(done.counts).toMatchObject({ total: 4, imported: 3, failed: 1 });
    const report = await importReport(h.url, a.slug, r.body.id);
    const [one, two, three, four] = report;
    expect(report.map((row) => row.acquisitionDate)).toEqual(['2019-03-01', null, '2020-01-02', null]);
    expect(one!.caseId).toBe(two!.caseId);
    expect(three!.caseId).not.toBe(one!.caseId);
    expect(four).toMatchObject({ state: 'failed', code: 'no_patient', caseId: null });
    const caseOf = (id: string) =>
      prisma.case.findUniqueOrThrow({ where: { id }, include: { patient: true, clinic: true } });
    const c1 = await caseOf(one!.caseId!);
    const c3 = await caseOf(three!.caseId!);
    expect(c1.patient.externalId).toBe('IMP-1');
    expect(c1.clinic).toBeNull();
    expect(c3.patient.externalId).toBe('IMP-2');
    expect(c3.clinic?.name).toBe('North');
    expect(c3.organizationId).toBe(a.id);
  });

  it('groups DICOM files without a manifest by PatientID and StudyInstanceUID', async () => {
    const dicom = (patientId: string, studyInstanceUid: string, seed: number) =>
      buildDicom({ rows: 32, columns: 64, patientId, studyInstanceUid, pixel: (x, y) => (x * seed + y) % 4096 });
    const zip = await buildZip([
      { name: 's1-a.dcm', data: await dicom('DCM-PAT-7', '1.2.3.4.1', 3) },
      { name: 's1-b.dcm', data: await dicom('DCM-PAT-7', '1.2.3.4.1', 5) },
      { name: 's2-a.dcm', data: await dicom('DCM-PAT-7', '1.2.3.4.2', 7) },
    ]);
    const r = await uploadArchive(h.url, a.slug, zip);
    const done = await waitForImport(h.url, a.slug, r.body.id);
    expect(done.counts).toMatchObject({ imported: 3 });
    const report = await importReport(h.url, a.slug, r.body.id);
    expect(report[0]!.caseId).toBe(report[1]!.caseId);
    expect(report[2]!.caseId).not.toBe(report[0]!.caseId);
    const kase = await prisma.case.findUniqueOrThrow({ where: { id: report[2]!.caseId! }, include: { patient: true } });
    expect(kase.patient.externalId).toBe('DCM-PAT-7');
  });

  it('a dry run counts, sizes and finds duplicates, and stores nothing', async () => {
    const [p1, p2, known] = await Promise.all([smallPng(20), smallPng(21), smallPng(22)]);
    expect((await uploadImage(h, a.slug, known, { caseId: a.caseId })).status).toBe(201);
    const before = await prisma.image.count({ where: { organizationId: a.id } });
    const zip = await buildZip([
      { name: '1.png', data: p1 },
      { name: '2.png', data: p2 },
      { name: '2-again.png', data: p2 },
      { name: 'known.png', data: known },
      { name: 'inner.zip', data: await buildZip([{ name: 'x.png', data: p1 }]) },
      { name: 'readme.txt', data: Buffer.from('scanned 2019, clinic north') },
    ]);
    const r = await uploadArchive(h.url, a.slug, zip, { dryRun: 'true', tasks: 'radiographic-report' });
    const done = await waitForImport(h.url, a.slug, r.body.id, ['scanned']);
    expect(done.summary).toMatchObject({
      files: 6,
      refused: 2,
      duplicatesInArchive: 1,
      duplicatesOfExisting: 1,
      toAnalyze: 2,
      refusedByCode: { 'nested-archive': 1, unsupported_image_type: 1 },
    });
    expect(done.summary!.bytes).toBeGreaterThan(p1.length + 2 * p2.length);
    expect(done.summary!.gpuEstimate.tasksPerImage).toBe(1);
    expect(await prisma.image.count({ where: { organizationId: a.id } })).toBe(before);
    // The uploaded archive is not kept once the dry run is over.
    expect(await s3Keys(h.bucket, `imports/${a.id}/${r.body.id}/`)).toEqual([]);
  });

  it('estimates GPU time from the engine speed measured on stored assessments', async () => {
    const t = await seedTenant(prisma);
    await prisma.assessment.create({
      data: {
        organizationId: t.id,
        caseId: t.caseId,
        task: 'radiographic-report',
        status: 'completed',
        totalMs: 2000,
        completionTokens: 100,
        completedAt: new Date(),
      },
    });
    const zip = await buildZip([
      { name: '1.png', data: await smallPng(30) },
      { name: '2.png', data: await smallPng(31) },
    ]);
    const r = await uploadArchive(h.url, t.slug, zip, { dryRun: 'true', tasks: 'radiographic-report' });
    const done = await waitForImport(h.url, t.slug, r.body.id, ['scanned']);
    expect(done.summary!.gpuEstimate.seconds).toBeGreaterThan(0);
    expect(done.summary!.gpuEstimate.measuredTokensPerSecond).toBeGreaterThan(0);
  });

  it('pauses without losing anything, resumes where it stopped, and cancels the rest', async () => {
    const zip = await buildZip(
      await Promise.all(
        Array.from({ length: 30 }, async (_, i) => ({ name: `${i}.png`, data: await smallPng(100 + i) })),
      ),
    );
    const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
    const paused = await call(`${h.url}/v1/imports/${r.body.id}/pause`, { method: 'POST', tenant: a.slug });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const still = await settled(r.body.id);
    expect(still.status).toBe('paused');
    expect((await call(`${h.url}/v1/imports/${r.body.id}/pause`, { method: 'POST', tenant: a.slug })).status).toBe(409);

    // Resumed with an Idempotency-Key: a retry of the same request gets the first answer again (a
    // second resume of a running import would be 409), the key on another import's resume is 422.
    const resume = (id: string) =>
      call(`${h.url}/v1/imports/${id}/resume`, {
        method: 'POST',
        tenant: a.slug,
        headers: { 'idempotency-key': `resume-${r.body.id}` },
      });
    const resumed = await resume(r.body.id);
    expect(resumed.status).toBe(202);
    const retried = await resume(r.body.id);
    expect(retried).toMatchObject({ status: 202, body: { id: r.body.id } });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    const unkeyed = await call(`${h.url}/v1/imports/${r.body.id}/resume`, { method: 'POST', tenant: a.slug });
    expect(unkeyed.status).toBe(409);
    const reused = await resume('00000000-0000-4000-8000-000000000000');
    expect(reused).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    const done = await waitForImport(h.url, a.slug, r.body.id);
    expect(done.counts).toMatchObject({ total: 30, imported: 30, pending: 0 });
    expect(done.itemsPerSecond).toBeGreaterThan(0);

    // One item would be imported before a pause could land: the service's import queue waits
    // while the pause is asked for, so the cancel below meets a paused import, not a finished one.
    const importQueue = new Queue('imports', {
      connection: redisOptions(h.env['REDIS_URL']!) as never,
      prefix: h.env['QUEUE_PREFIX'],
    });
    await importQueue.pause();
    const second = await uploadArchive(h.url, a.slug, await buildZip([{ name: 'z.png', data: await smallPng(200) }]), {
      caseId: a.caseId,
    });
    const pausedFirst = await call(`${h.url}/v1/imports/${second.body.id}/pause`, { method: 'POST', tenant: a.slug });
    await importQueue.resume();
    await importQueue.close();
    expect(pausedFirst.status).toBe(200);
    await settled(second.body.id);
    const cancelled = await call(`${h.url}/v1/imports/${second.body.id}/cancel`, { method: 'POST', tenant: a.slug });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(
      (await call(`${h.url}/v1/imports/${second.body.id}/resume`, { method: 'POST', tenant: a.slug })).status,
    ).toBe(409);
  });

  /** Waits until a paused import's counts stop moving (the items in flight finish). */
  async function settled(id: string): Promise<ImportView> {
    let last = '';
    return waitFor('import to settle', async () => {
      const v = await importView(h.url, a.slug, id);
      const now = JSON.stringify(v.counts);
      if (now === last) return v;
      last = now;
      await new Promise((res) => setTimeout(res, 400));
      return undefined;
    });
  }

  it('answers a retried POST with the same Idempotency-Key with the same import', async () => {
    const zip = await buildZip([{ name: 'k.png', data: await smallPng(300) }]);
    const headers = { 'idempotency-key': `imp-${Date.now()}` };
    const first = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId }, { headers });
    const again = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId }, { headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses bad requests with a 4xx and records nothing', async () => {
    const before = await prisma.archiveImport.count({ where: { organizationId: a.id } });
    const storedBefore = await s3Keys(h.bucket, 'imports/');
    const png = await smallPng(400);
    const zip = await buildZip([{ name: 'ok.png', data: png }]);
    expect((await uploadArchive(h.url, a.slug, png)).body.code).toBe('unsupported_archive_type');
    expect((await uploadArchive(h.url, a.slug, Buffer.from('just text, no archive at all'))).status).toBe(415);
    const noArchive = new FormData();
    noArchive.append('caseId', a.caseId);
    expect((await call(`${h.url}/v1/imports`, { method: 'POST', body: noArchive, tenant: a.slug })).body.code).toBe(
      'archive_required',
    );
    const badManifest = await uploadArchive(
      h.url,
      a.slug,
      zip,
      {},
      { manifest: { text: 'file,patient\nok.png,1\n', name: 'm.csv' } },
    );
    expect(badManifest.status).toBe(400);
    expect(badManifest.body.code).toBe('invalid_manifest');
    const unknownCase = await uploadArchive(h.url, a.slug, zip, { caseId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownCase.status).toBe(404);
    expect((await uploadArchive(h.url, a.slug, zip, { tasks: 'no-such-task' })).status).toBe(400);
    const json = (body: unknown) =>
      call(`${h.url}/v1/imports`, {
        method: 'POST',
        tenant: a.slug,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    expect((await json({ source: 'https://example.com/a.zip' })).status).toBe(400);
    expect((await json({ source: `s3://${h.bucket}/originals/` })).body.code).toBe('source_not_allowed');
    expect((await json({ source: 's3://some-other-bucket/a.zip' })).status).toBe(403);
    expect(await prisma.archiveImport.count({ where: { organizationId: a.id } })).toBe(before);
    // Nothing the refused uploads streamed in is left in storage. (Keys may also have gone: an
    // earlier spec's import removes its archive when it finishes, which can be during this one.)
    expect((await s3Keys(h.bucket, 'imports/')).filter((k) => !storedBefore.includes(k))).toEqual([]);
  });

  it("keeps each tenant's imports to itself, and needs the write scope to start one", async () => {
    const b = await seedTenant(prisma);
    const zip = await buildZip([{ name: 't.png', data: await smallPng(500) }]);
    const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
    await waitForImport(h.url, a.slug, r.body.id);
    for (const path of ['', '/report', '/report?format=csv']) {
      expect((await call(`${h.url}/v1/imports/${r.body.id}${path}`, { tenant: b.slug })).status).toBe(404);
    }
    for (const action of ['pause', 'resume', 'cancel']) {
      expect(
        (await call(`${h.url}/v1/imports/${r.body.id}/${action}`, { method: 'POST', tenant: b.slug })).status,
      ).toBe(404);
    }
    expect((await call(`${h.url}/v1/imports`, { tenant: b.slug })).body).toEqual([]);
    const { key } = await issueApiKey(prisma, a.id, { name: 'read only', scopes: ['read'] });
    const form = new FormData();
    form.append('archive', new Blob([new Uint8Array(zip)]), 'a.zip');
    const denied = await fetch(`${h.url}/v1/imports`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(denied.status).toBe(403);
  });

  it('fails an import whose archive is broken, with the reason', async () => {
    const zip = await buildZip([
      { name: 'a.png', data: await smallPng(600) },
      { name: 'b.png', data: await smallPng(601) },
    ]);
    // A zip cut before its central directory: no index, nothing can be trusted.
    const r = await uploadArchive(h.url, a.slug, zip.subarray(0, zip.length - 40), { caseId: a.caseId });
    expect(r.status).toBe(202);
    const failed = await waitForImport(h.url, a.slug, r.body.id, ['failed']);
    expect(failed.error).toMatch(/./);
    // Kept for a resume until given up: cancelling a failed import deletes its uploaded archive.
    const ofImport = async () => (await listBucket(h.bucket)).filter((k) => k.includes(`/${r.body.id}/`));
    const archives = await ofImport();
    expect(archives).toEqual([`imports/${a.id}/${r.body.id}/archive`]);
    const cancelled = await call(`${h.url}/v1/imports/${r.body.id}/cancel`, { method: 'POST', tenant: a.slug });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(await ofImport()).toEqual([]);
  });

  it('refuses an entry whose data is broken and imports the rest', async () => {
    const [good, bad] = await Promise.all([smallPng(650), smallPng(651)]);
    const zip = buildRawZip([
      { name: 'bad-crc.png', data: bad, crc: 12345 },
      { name: 'good.png', data: good },
    ]);
    const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
    const done = await waitForImport(h.url, a.slug, r.body.id);
    expect(done.counts).toMatchObject({ total: 2, imported: 1, refused: 1 });
    const report = await importReport(h.url, a.slug, r.body.id);
    expect(report[0]).toMatchObject({ state: 'refused', code: 'corrupt-entry', imageId: null });
  });

  it('reports CSV with the same rows as JSON', async () => {
    const zip = await buildZip([
      { name: '=cmd|x.png', data: await smallPng(700) },
      { name: 'b,c.png', data: Buffer.from('x') },
    ]);
    const r = await uploadArchive(h.url, a.slug, zip, { caseId: a.caseId });
    await waitForImport(h.url, a.slug, r.body.id);
    const csv = await call(`${h.url}/v1/imports/${r.body.id}/report?format=csv`, { tenant: a.slug });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('index,file,state,imageId,duplicateOf,caseId,assessmentIds,code,error,acquisitionDate');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^0,'=cmd\|x\.png,imported,/);
    expect(lines[2]).toMatch(/^1,"b,c\.png",failed,/);
  });

  it('reads archives and prefixes from an allowed bucket', async () => {
    const source = await freshBucket();
    const s = await startIngestion({ IMPORT_S3_BUCKETS: source });
    try {
      const put = (Key: string, Body: Buffer) => s3Client().send(new PutObjectCommand({ Bucket: source, Key, Body }));
      const [p1, p2, p3] = await Promise.all([smallPng(800), smallPng(801), smallPng(802)]);
      await put(
        'archives/2019.zip',
        await buildZip([
          { name: 'x/1.png', data: p1 },
          { name: 'x/2.png', data: p2 },
        ]),
      );
      // The same bytes as x/2.png, which went to this case's patient: a duplicate, not a new image.
      await put('scans/2020/a.png', p2);
      await put('scans/2020/b.png', p3);
      await put('manifests/m.json', Buffer.from(JSON.stringify([{ file: 'x/1.png', patientExternalId: 'S3-P' }])));
      const json = (body: unknown) =>
        call(`${s.url}/v1/imports`, {
          method: 'POST',
          tenant: a.slug,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });

      const zip = await json({
        source: `s3://${source}/archives/2019.zip`,
        manifestUri: `s3://${source}/manifests/m.json`,
        caseId: a.caseId,
      });
      expect(zip.status).toBe(202);
      expect(zip.body.format).toBe('zip');
      expect((await waitForImport(s.url, a.slug, zip.body.id)).counts).toMatchObject({ imported: 2 });
      const rows = await importReport(s.url, a.slug, zip.body.id);
      expect(rows[1]!.caseId).toBe(a.caseId);
      expect(rows[0]!.caseId).not.toBe(a.caseId);

      const prefix = await json({ source: `s3://${source}/scans/`, caseId: a.caseId });
      expect(prefix.body.format).toBe('prefix');
      const done = await waitForImport(s.url, a.slug, prefix.body.id);
      expect(done.counts).toMatchObject({ total: 2, imported: 1, duplicate: 1 });
      const report = await importReport(s.url, a.slug, prefix.body.id);
      expect(report.map((x) => x.file)).toEqual(['2020/a.png', '2020/b.png']);
      expect(report[0]).toMatchObject({ state: 'duplicate', duplicateOf: rows[1]!.imageId });

      const keyed = (body: unknown) =>
        call(`${s.url}/v1/imports`, {
          method: 'POST',
          tenant: a.slug,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', 'idempotency-key': `s3-import-${source}` },
        });
      const firstKeyed = await keyed({ source: `s3://${source}/scans/`, caseId: a.caseId, dryRun: true });
      const retried = await keyed({ source: `s3://${source}/scans/`, caseId: a.caseId, dryRun: true });
      expect([firstKeyed.status, retried.status, retried.body.id]).toEqual([202, 200, firstKeyed.body.id]);
      const reused = await keyed({ source: `s3://${source}/archives/2019.zip`, caseId: a.caseId, dryRun: true });
      expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);

      expect((await json({ source: `s3://${source}/nothing-here/` })).status).toBe(404);
      expect((await json({ source: `s3://${source}/scans/2020/a.png` })).body.code).toBe('unsupported_archive_type');
      // The source objects are the client's: an import never deletes them.
      expect(await s3Keys(source, 'archives/')).toEqual(['archives/2019.zip']);
    } finally {
      await s.close();
    }
  });

  it('has case-api analyze each imported image on the batch lane, once', async () => {
    const api = await caseApiWith({
      QUEUE_BACKEND: 'redis',
      REDIS_URL: h.env['REDIS_URL']!,
      QUEUE_PREFIX: h.env['QUEUE_PREFIX']!,
    });
    try {
      const zip = await buildZip([
        { name: '1.png', data: await smallPng(900) },
        { name: '2.png', data: await smallPng(901) },
        { name: '2-dup.png', data: await smallPng(901) },
      ]);
      const r = await uploadArchive(h.url, a.slug, zip, {
        caseId: a.caseId,
        tasks: 'radiographic-report',
        modality: 'panoramic',
      });
      await waitForImport(h.url, a.slug, r.body.id);
      const rows = await waitFor('assessments of the imported images', async () => {
        const report = await importReport(h.url, a.slug, r.body.id);
        return report.filter((x) => x.assessmentIds.length).length === 2 ? report : undefined;
      });
      const ids = rows.flatMap((x) => x.assessmentIds);
      expect(ids).toHaveLength(2);
      expect(rows[2]!.assessmentIds).toEqual([]);
      const assessments = await prisma.assessment.findMany({ where: { id: { in: ids } } });
      expect(assessments.map((x) => [x.lane, x.task, x.status])).toEqual([
        ['batch', 'radiographic-report', 'queued'],
        ['batch', 'radiographic-report', 'queued'],
      ]);
      const view = await importView(h.url, a.slug, r.body.id);
      expect(view.analysis.queued).toBe(2);
    } finally {
      await api.app.close();
    }
  });
});

async function s3Keys(bucket: string, prefix: string): Promise<string[]> {
  const { ListObjectsCommand } = await import('@aws-sdk/client-s3');
  const out = await s3Client().send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}
