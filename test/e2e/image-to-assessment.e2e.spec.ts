import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LANE_QUEUES, type AssessmentView, type CaseView, type ImageView } from '@dg/contracts';
import { createPrismaClient, ensureOrganization, issueApiKey, type PrismaClient } from '@dg/db';
import {
  OnnxDentalGemmaEngine,
  SYSTEM_PROMPT,
  taskDefinition,
  toPixelValues,
  weightFiles,
  sha256File,
} from '@dg/inference';
import { SharpImageCodec } from '@dg/imaging';
import { redisOptions } from '@dg/queue';
import { testEnv, uniqueName } from '@dg/testing';
import { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { panoramicPng, photoJpeg } from '../support/images';
import { startPlatform, waitFor, type RunningPlatform } from '../support/platform';

/**
 * The walking skeleton: an image goes through ingestion, case-api, the queue and the inference
 * worker on real PostgreSQL, Redis, S3 and ONNX Runtime, and comes back as a stored assessment.
 */
describe('image to stored assessment, through all three services', () => {
  let platform: RunningPlatform;
  let prisma: PrismaClient;
  let tenant: string;
  let apiKey: string;
  let caseId: string;
  let lastReadiness = '';
  const env = testEnv();
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });

  // One API key for the whole platform: case-api and ingestion check the same keys.
  const api = async (base: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const upload = async (bytes: Buffer, fields: Record<string, string>, filename = 'x.png') => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)]), filename);
    return api(platform.ingestion, '/v1/images', { method: 'POST', body: form });
  };
  const assess = async (body: unknown) =>
    api(platform.caseApi, `/v1/cases/${caseId}/assessments`, { method: 'POST', body: JSON.stringify(body) });
  const finished = (id: string) =>
    waitFor(
      `assessment ${id}`,
      async () => {
        const { body } = await api(platform.caseApi, `/v1/assessments/${id}`);
        return body.status === 'completed' || body.status === 'failed' ? (body as AssessmentView) : undefined;
      },
      60_000,
    );

  beforeAll(async () => {
    prisma = createPrismaClient(env.DATABASE_URL, 2);
    tenant = uniqueName('org').toLowerCase();
    const { tenantId } = await ensureOrganization(prisma, tenant, 'E2E Dental Chain');
    apiKey = (await issueApiKey(prisma, tenantId, { name: 'e2e', scopes: ['read', 'write'] })).key;
    // A bucket of its own, so counting objects sees only what this spec's platform wrote.
    const bucket = uniqueName('e2e').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    platform = await startPlatform({ S3_BUCKET: bucket });
    await waitFor('worker readiness', async () => {
      const res = await fetch(`${platform.worker}/health/ready`);
      lastReadiness = await res.text();
      return res.status === 200 ? true : undefined;
    }).catch((error) => {
      throw new Error(`${error.message}: ${lastReadiness}`);
    });
    const created = await api(platform.caseApi, '/v1/cases', {
      method: 'POST',
      body: JSON.stringify({
        patient: { externalId: 'PMS-1001', age: 35, sex: 'male' },
        chiefComplaint: 'Severe throbbing pain in the lower right molar region for 3 days.',
        clinicalFindings: 'Deep carious lesion on tooth 46 with tenderness to percussion.',
        radiographicFindings: 'Periapical radiolucency at the apex of 46.',
        medicalHistory: 'No significant medical history.',
      }),
    });
    expect(created.status).toBe(201);
    caseId = (created.body as CaseView).id;
  });

  // Both lanes' queues, to hold the worker off while a test checks requests (resumed after each test).
  let laneQueues: Queue[] | undefined;
  const lanes = () =>
    (laneQueues ??= Object.values(LANE_QUEUES).map(
      (name) =>
        new Queue(name, { connection: redisOptions(env.REDIS_URL) as never, prefix: platform.env.QUEUE_PREFIX }),
    ));
  afterEach(async () => {
    await Promise.all(laneQueues?.map((q) => q.resume()) ?? []);
  });

  afterAll(async () => {
    await Promise.all(laneQueues?.map((q) => q.close()) ?? []);
    await platform?.close();
    await prisma?.$disconnect();
  });

  it('stores an assessment produced by ONNX Runtime, with provenance', async () => {
    const pano = await panoramicPng(1);
    const up = await upload(pano, { caseId });
    expect(up.status).toBe(201);
    const image = up.body as ImageView;
    expect(image).toMatchObject({ caseId, format: 'png', modality: 'panoramic', width: 1400, height: 700 });

    const [a1, a2] = await Promise.all([
      assess({ task: 'pathology-classification', imageId: image.id }),
      assess({ task: 'pathology-classification', imageId: image.id }),
    ]);
    expect(a1.status).toBe(201);
    expect(a1.body).toMatchObject({ status: 'queued', task: 'pathology-classification', reviewRequired: true });
    // The job carries what the model is told about the case (patient and case fields, nothing else).
    const job = await prisma.jobOutbox.findFirstOrThrow({ where: { jobId: a1.body.id } });
    expect((job.payload as { input: { caseText: unknown } }).input.caseText).toEqual({
      age: 35,
      sex: 'male',
      chiefComplaint: 'Severe throbbing pain in the lower right molar region for 3 days.',
      clinicalFindings: 'Deep carious lesion on tooth 46 with tenderness to percussion.',
      radiographicFindings: 'Periapical radiolucency at the apex of 46.',
      medicalHistory: 'No significant medical history.',
    });
    const [r1, r2] = await Promise.all([finished(a1.body.id), finished(a2.body.id)]);

    expect(r1.status).toBe('completed');
    expect(r1.rawText?.length).toBeGreaterThan(0);
    // The same input gives the same text: greedy decoding on the same graphs.
    expect(r2.rawText).toBe(r1.rawText);
    expect(r1).toMatchObject({
      modelId: 'tiny-dentalgemma',
      promptVersion: 'pathology-classification@2',
      contractVersion: 'pathology-classification.output@1',
      disclaimer: expect.stringMatching(/decision support for licensed dental professionals/),
    });
    expect(r1.stats!.promptTokens).toBeGreaterThan(256);
    expect(r1.stats!.completionTokens).toBeGreaterThan(0);
    expect(r1.startedAt).not.toBeNull();

    // The stored digest is the digest of the files loaded, recomputed here independently.
    const files = await weightFiles(env.TINY_MODEL_DIR, '');
    const lines = [];
    for (const f of files) lines.push(`${await sha256File(join(env.TINY_MODEL_DIR, f))}  ${f}\n`);
    expect(r1.weightsDigest).toBe(`sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`);

    // And the text is what ONNX Runtime gives for that image and prompt when run directly.
    const engine = await OnnxDentalGemmaEngine.load({
      dir: env.TINY_MODEL_DIR,
      modelId: 'direct',
      variant: '',
      session: { providers: ['cpu'], intraOpThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: true },
    });
    try {
      const derivative = await new SharpImageCodec().normalize(pano);
      const direct = await engine.generate(
        {
          system: SYSTEM_PROMPT,
          user: taskDefinition('pathology-classification').buildPrompt({}),
          pixelValues: toPixelValues(await new SharpImageCodec().decodePixels(derivative.derivative), 896),
        },
        { maxNewTokens: 24 },
      );
      expect(direct.text).toBe(r1.rawText);
    } finally {
      await engine.dispose();
    }
  });

  it('gives different text for different images', async () => {
    const texts = new Set<string>();
    for (const bytes of [await panoramicPng(2), await panoramicPng(7), await photoJpeg(3)]) {
      const up = await upload(bytes, { caseId });
      expect(up.status).toBe(201);
      const task =
        (up.body as ImageView).modality === 'intraoral-photo' ? 'clinical-photo-analysis' : 'radiographic-report';
      const a = await assess({ task, imageId: up.body.id });
      const done = await finished(a.body.id);
      expect(done.status).toBe('completed');
      texts.add(`${task}:${done.rawText}`);
    }
    expect(texts.size).toBe(3);
  });

  it('runs all six tasks through the services, default task sets included, and refuses a mismatched input', async () => {
    const pano = (await upload(await panoramicPng(11), { caseId })).body as ImageView;
    const photo = (await upload(await photoJpeg(12), { caseId })).body as ImageView;
    // The generations wait until every request below is answered: on 2 cores, with the model
    // running in this same process, a request can meet 503 database_unavailable (as it should).
    await Promise.all(lanes().map((q) => q.pause()));
    const newCase = async (externalId: string) => {
      const made = await api(platform.caseApi, '/v1/cases', {
        method: 'POST',
        body: JSON.stringify({ patient: { externalId } }),
      });
      expect(made.status).toBe(201);
      return made.body.id as string;
    };
    const [laterVisit, otherPatient] = [await newCase('PMS-1001'), await newCase('PMS-1002')];

    // An image is its patient's: assessed under another case of the same patient (a later visit),
    // absent under another patient's case.
    const report = { task: 'radiographic-report', imageId: pano.id };
    const later = await api(platform.caseApi, `/v1/cases/${laterVisit}/assessments`, {
      method: 'POST',
      body: JSON.stringify(report),
    });
    expect(later).toMatchObject({ status: 201, body: { caseId: laterVisit, imageId: pano.id } });
    for (const [path, body] of [
      ['assessments', report],
      ['assessments/defaults', { imageId: pano.id }],
    ] as const) {
      const res = await api(platform.caseApi, `/v1/cases/${otherPatient}/${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      expect(res).toMatchObject({ status: 404, body: { message: expect.stringMatching(/image .* not found/) } });
    }

    const defaults = (imageId?: string) =>
      api(platform.caseApi, `/v1/cases/${caseId}/assessments/defaults`, {
        method: 'POST',
        body: JSON.stringify(imageId ? { imageId } : {}),
      });
    const panoDefaults = await defaults(pano.id);
    expect(panoDefaults.status).toBe(201);
    expect(panoDefaults.body.items.map((a: AssessmentView) => a.task)).toEqual([
      'pathology-classification',
      'localized-findings',
      'radiographic-report',
    ]);
    const photoDefaults = (await defaults(photo.id)).body.items as AssessmentView[];
    expect(photoDefaults.map((a) => a.task)).toEqual(['clinical-photo-analysis']);
    const textDefaults = (await defaults()).body.items as AssessmentView[];
    expect(textDefaults.map((a) => a.task)).toEqual(['case-analysis']);
    const dentition = (await assess({ task: 'dentition-assessment', imageId: pano.id })).body as AssessmentView;

    const mismatch = await assess({ task: 'clinical-photo-analysis', imageId: pano.id });
    expect(mismatch).toMatchObject({ status: 422, body: { code: 'task_input_mismatch' } });
    await Promise.all(lanes().map((q) => q.resume()));

    const all = [...panoDefaults.body.items, ...photoDefaults, ...textDefaults, dentition] as AssessmentView[];
    expect(new Set(all.map((a) => a.task)).size).toBe(6);
    for (const a of all) {
      const done = await finished(a.id);
      // Word salad from the tiny model: each answer is stored schema-valid, parsed or marked for review.
      expect(done.status).toBe('completed');
      const output = done.output as { parseStatus: string; needsReview?: boolean };
      expect(['parsed', 'partial', 'unparsed']).toContain(output.parseStatus);
      if (output.parseStatus === 'unparsed') expect(output.needsReview).toBe(true);
    }
  });

  it('assesses an upload that asks for it (analyze=default): its default tasks, interactive lane, once', async () => {
    const bytes = await panoramicPng(21);
    const up = await upload(bytes, { caseId, analyze: 'default' });
    expect(up.status).toBe(201);
    const ofImage = async () =>
      ((await api(platform.caseApi, `/v1/cases/${caseId}`)).body.assessments as AssessmentView[]).filter(
        (a) => a.imageId === up.body.id,
      );
    const mine = await waitFor('its assessments', async () => ((await ofImage()).length === 3 ? ofImage() : undefined));
    expect(mine.map((a) => a.task).sort()).toEqual([
      'localized-findings',
      'pathology-classification',
      'radiographic-report',
    ]);
    const rows = await prisma.assessment.findMany({ where: { imageId: up.body.id } });
    expect(rows.every((r) => r.lane === 'interactive')).toBe(true);
    for (const a of mine) expect((await finished(a.id)).status).toBe('completed');
    // Sent again (a client's retry: known bytes, 200), and with one task named: nothing twice.
    expect((await upload(bytes, { caseId, analyze: 'default' })).status).toBe(200);
    expect((await upload(bytes, { caseId, analyze: 'radiographic-report' })).status).toBe(200);
    // Counted once case-api has handled the second request (its own intake job).
    const intake = new Queue('intake', {
      connection: redisOptions(env.REDIS_URL) as never,
      prefix: platform.env.QUEUE_PREFIX,
    });
    try {
      const which = createHash('sha256').update('radiographic-report').digest('hex').slice(0, 16);
      const jobId = `${up.body.id}.${caseId}.upload.${which}`;
      await waitFor('the second request handled', async () =>
        (await intake.getJob(jobId))?.finishedOn ? true : undefined,
      );
    } finally {
      await intake.close();
    }
    expect(await prisma.assessment.count({ where: { imageId: up.body.id } })).toBe(3);
    // An unknown task, or one that takes no panoramic, is refused before anything is stored.
    const before = await prisma.image.count({ where: { caseId } });
    const bad = await upload(await panoramicPng(22), { caseId, analyze: 'teeth-whitening' });
    expect(bad).toMatchObject({ status: 400 });
    const photoTask = await upload(await panoramicPng(22), { caseId, analyze: 'clinical-photo-analysis' });
    expect(photoTask).toMatchObject({ status: 422, body: { code: 'task_input_mismatch' } });
    expect(await prisma.image.count({ where: { caseId } })).toBe(before);
  });

  it('runs a text-only clinical case analysis the same way', async () => {
    const a = await assess({ task: 'case-analysis' });
    expect(a.status).toBe(201);
    expect(a.body.imageId).toBeNull();
    const done = await finished(a.body.id);
    expect(done.status).toBe('completed');
    expect(done.rawText!.length).toBeGreaterThan(0);
    expect(done.promptVersion).toBe('case-analysis@1');
    expect(done.stats!.promptTokens).toBeLessThan(256);
  });

  it('exposes liveness, readiness and Prometheus metrics on every service', async () => {
    for (const [base, service] of [
      [platform.caseApi, 'case-api'],
      [platform.ingestion, 'ingestion'],
      [platform.worker, 'inference-worker'],
    ] as const) {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      const health = (await ready.json()) as { details: Record<string, unknown> };
      expect(Object.keys(health.details).length).toBeGreaterThanOrEqual(2);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(`process_resident_memory_bytes{service="${service}"}`);
    }
    // The engine's own figures, after one generation of this test's own.
    const a = await assess({ task: 'case-analysis' });
    expect((await finished(a.body.id)).status).toBe('completed');
    const engine = await (await fetch(`${platform.worker}/metrics`)).text();
    for (const name of [
      'time_to_first_token_seconds',
      'decode_tokens_per_second',
      'batch_size',
      'queue_wait_seconds',
    ]) {
      expect(
        Number(new RegExp(`dentalgemma_engine_${name}_count\\{[^}]*\\} (\\d+)`).exec(engine)?.[1]),
      ).toBeGreaterThan(0);
    }
    expect(engine).toMatch(/dentalgemma_queue_backlog\{lane="interactive"[^}]*\} \d+/);
    expect(
      Number(/dentalgemma_worker_jobs_total\{lane="interactive",outcome="completed"[^}]*\} (\d+)/.exec(engine)?.[1]),
    ).toBeGreaterThan(0);
    expect(Number(/dentalgemma_engine_model_load_seconds\{[^}]*\} ([\d.e-]+)/.exec(engine)?.[1])).toBeGreaterThan(0);
    for (const phase of ['queued', 'running'])
      expect(
        Number(
          new RegExp(
            `dentalgemma_worker_job_seconds_count\\{[^}]*lane="interactive",phase="${phase}"[^}]*\\} (\\d+)`,
          ).exec(engine)?.[1],
        ),
      ).toBeGreaterThan(0);
  });

  describe('bad input: a 4xx with a JSON body naming the problem, and nothing written', () => {
    const objectCount = async () => {
      let count = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: platform.env['S3_BUCKET'], ContinuationToken: token }),
        );
        count += page.KeyCount ?? 0;
        token = page.NextContinuationToken;
      } while (token);
      return count;
    };
    const formWith = (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      return form;
    };
    // Scoped to this spec's tenant: other specs write to the same database in parallel.
    const rowCounts = async () => {
      const where = { organization: { slug: tenant } };
      return {
        images: await prisma.image.count({ where }),
        assessments: await prisma.assessment.count({ where }),
        cases: await prisma.case.count({ where }),
        patients: await prisma.patient.count({ where }),
      };
    };

    const cases: [string, () => Promise<{ status: number; body: any }>, number, RegExp][] = [
      [
        'a non-image upload',
        () => upload(Buffer.from('%PDF-1.7 not an image'), { caseId }, 'scan.png'),
        415,
        /detected pdf/,
      ],
      [
        'an upload for an unknown case',
        async () => upload(await panoramicPng(9, 200, 100), { caseId: '00000000-0000-4000-8000-000000000000' }),
        404,
        /case .* not found/,
      ],
      [
        'an upload with a malformed caseId',
        async () => upload(await panoramicPng(9, 200, 100), { caseId: 'nope' }),
        400,
        /caseId/,
      ],
      [
        'an upload without a file',
        () => api(platform.ingestion, '/v1/images', { method: 'POST', body: formWith({ caseId }) }),
        400,
        /file/,
      ],
      ['an empty file', () => upload(Buffer.alloc(0), { caseId }), 415, /detected empty/],
      ['an assessment without a task', () => assess({}), 400, /task/],
      ['an assessment with an unknown task', () => assess({ task: 'tarot-reading' }), 400, /task/],
      ['an image task without an image', () => assess({ task: 'pathology-classification' }), 422, /needs an imageId/],
      [
        'a text task given an image',
        () => assess({ task: 'case-analysis', imageId: '00000000-0000-4000-8000-000000000000' }),
        422,
        /omit imageId/,
      ],
      [
        'an assessment for an unknown case',
        () =>
          api(platform.caseApi, '/v1/cases/00000000-0000-4000-8000-000000000000/assessments', {
            method: 'POST',
            body: JSON.stringify({ task: 'case-analysis' }),
          }),
        404,
        /case .* not found/,
      ],
      [
        'a malformed JSON body',
        () => api(platform.caseApi, `/v1/cases/${caseId}/assessments`, { method: 'POST', body: '{"task": ' }),
        400,
        /JSON/i,
      ],
      [
        'a case without a patient',
        () => api(platform.caseApi, '/v1/cases', { method: 'POST', body: JSON.stringify({ chiefComplaint: 'pain' }) }),
        400,
        /patient/,
      ],
      [
        'a case-api request without an API key',
        () =>
          fetch(`${platform.caseApi}/v1/cases`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }).then(async (r) => ({ status: r.status, body: await r.json() })),
        401,
        /API key/,
      ],
      [
        'an upload without an API key',
        () =>
          fetch(`${platform.ingestion}/v1/images`, { method: 'POST', body: formWith({ caseId }) }).then(async (r) => ({
            status: r.status,
            body: await r.json(),
          })),
        401,
        /API key/,
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, message) => {
      const [objectsBefore, rowsBefore] = [await objectCount(), await rowCounts()];
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({
        statusCode: status,
        code: expect.any(String),
        message: expect.stringMatching(message),
      });
      expect(await objectCount()).toBe(objectsBefore);
      expect(await rowCounts()).toEqual(rowsBefore);
    });
  });
});
