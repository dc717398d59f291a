import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseApiEnvSchema, loadConfig, WorkerEnvSchema } from '@dg/config';
import { createPrismaClient } from '@dg/db';
import { freePort } from '@dg/devstack';
import { listen } from '@dg/http';
import { JobProducer, queueConnection, redisOptions } from '@dg/queue';
import { Queue } from 'bullmq';
import { testEnv, uniqueName } from '@dg/testing';
import { createInferenceWorker } from '../../apps/inference-worker/src/app';
import { migrateDeploy } from '../../tools/db/src/migrate-deploy';
import { caseApiWith, completedResult, createTenant } from '../support/case-api';
import { panoramicPng } from '../support/images';
import { startIngestion } from '../support/ingestion-harness';
import { waitFor } from '../support/platform';
import { tinyWorkerEnv } from '../support/worker-process';
import { postgresProcess } from '../support/postgres-process';

/** Dependencies going away and coming back: nothing acknowledged is lost, nothing is doubled. */
describe('faults', () => {
  const t = testEnv();

  const caseApi = caseApiWith;
  const post = async (url: string, key: string, path: string, body: unknown) =>
    (await (
      await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as { id: string };

  it('stores results a real worker produced while case-api was down, once each, when it comes back', async () => {
    const prefix = uniqueName('down');
    const env = { DATABASE_URL: t.DATABASE_URL, REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: prefix };
    const prisma = createPrismaClient(t.DATABASE_URL, 2);
    let api = await caseApi(env);
    const org = await createTenant(prisma, 'down');
    const caseId = (await post(api.url, org.key, '/v1/cases', { patient: { externalId: 'F-1' } })).id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await post(api.url, org.key, `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' })).id);
    await waitFor('the jobs handed to the queue', async () =>
      (await prisma.jobOutbox.count({ where: { jobId: { in: ids }, dispatchedAt: { not: null } } })) === 3
        ? true
        : undefined,
    );
    await api.app.close();

    // The worker runs them and publishes started + completed with nobody consuming the results.
    const worker = await createInferenceWorker(
      loadConfig(
        WorkerEnvSchema,
        tinyWorkerEnv(env.REDIS_URL, prefix, {
          MAX_NEW_TOKENS_TEXT: '32',
        }),
      ),
    );
    await listen(worker, 0, '127.0.0.1');
    const inference = new Queue('inference', { connection: redisOptions(t.REDIS_URL) as never, prefix });
    const results = new JobProducer('results', queueConnection(loadConfig(CaseApiEnvSchema, env)));
    try {
      await waitFor(
        'the worker to finish all three',
        async () =>
          (await Promise.all(ids.map((id) => inference.getJobState(id)))).every((s) => s === 'completed')
            ? true
            : undefined,
        60_000,
      );
      const stillQueued = await prisma.assessment.count({ where: { id: { in: ids }, status: 'queued' } });
      expect(stillQueued).toBe(3);
      // A redelivery under another job id (as after a worker crash) must not store anything twice.
      // It carries its start time as the worker's own results do: the results consumer takes jobs
      // several at a time, so this copy may be stored before the started event.
      const copy = { ...completedResult(org.tenant, ids[0]!), startedAt: new Date(Date.now() - 1000).toISOString() };
      await results.add('assessment.completed', copy, { jobId: `${ids[0]}.completed.redelivered` });

      api = await caseApi(env);
      const rows = await waitFor('the stored results', async () => {
        const found = await prisma.assessment.findMany({ where: { caseId } });
        return found.every((r) => r.status === 'completed') ? found : undefined;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(await prisma.assessment.count({ where: { caseId } })).toBe(3);
      // Whichever copy of a result came first is stored, once; each with the model and both
      // timestamps, though the started events were drained together with the completions.
      expect(await prisma.finding.count({ where: { assessmentId: { in: ids } } })).toBe(0);
      expect(rows.every((r) => r.startedAt !== null && r.completedAt !== null && r.modelId !== null)).toBe(true);
      expect(rows.filter((r) => r.id !== ids[0]).every((r) => r.startedAt! <= r.completedAt!)).toBe(true);
    } finally {
      await inference.close();
      await results.close();
      await worker.close();
      await api.app.close();
      await prisma.$disconnect();
    }
  });

  it('answers 503 on readiness and on requests while Postgres is stopped, and recovers without a restart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dg-pg-fault-'));
    await chmod(root, 0o755); // initdb runs as the postgres user when the suite runs as root
    const dataDir = join(root, 'pg');
    const port = await freePort();
    let pg = await postgresProcess(dataDir, port);
    await migrateDeploy({ databaseUrl: pg.url, migrationsDir: join(__dirname, '..', '..', 'prisma', 'migrations') });
    const prisma = createPrismaClient(pg.url, 1);
    const org = await createTenant(prisma, 'pgdown');
    await prisma.$disconnect();
    const api = await caseApi({ DATABASE_URL: pg.url, REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: uniqueName('pgdown') });
    const ingestion = await startIngestion({ DATABASE_URL: pg.url });
    const ready = async (url = api.url) => (await fetch(`${url}/health/ready`)).status;
    const caseId = (await post(api.url, org.key, '/v1/cases', { patient: { externalId: 'before-outage' } })).id;
    const upload = async (seed: number) => {
      const form = new FormData();
      form.append('caseId', caseId);
      form.append('file', new Blob([new Uint8Array(await panoramicPng(seed, 400, 200))]), 'pano.png');
      return fetch(`${ingestion.url}/v1/images`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.key}` },
        body: form,
      });
    };
    try {
      expect([await ready(), await ready(ingestion.url)]).toEqual([200, 200]);
      await pg.stop();
      await waitFor('readiness to fail', async () => ((await ready()) === 503 ? true : undefined), 20_000);
      await waitFor('ingestion readiness to fail', async () =>
        (await ready(ingestion.url)) === 503 ? true : undefined,
      );
      const refused = await upload(1);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'database_unavailable' });
      const body = (await (await fetch(`${api.url}/health/ready`)).json()) as {
        details: Record<string, { status: string }>;
      };
      expect(body.details['database']?.status).toBe('down');
      // A request meanwhile is told to come back (503 + Retry-After), not that the platform broke (500).
      const during = await fetch(`${api.url}/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ patient: { externalId: 'during-outage' } }),
      });
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('2');
      expect(await during.json()).toMatchObject({ code: 'database_unavailable' });

      pg = await postgresProcess(dataDir, port);
      await waitFor('readiness to recover', async () => ((await ready()) === 200 ? true : undefined), 30_000);
      await waitFor('ingestion to recover', async () => ((await ready(ingestion.url)) === 200 ? true : undefined));
      const created = await post(api.url, org.key, '/v1/cases', { patient: { externalId: 'after-outage' } });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await upload(2)).status).toBe(201);
      // Reconcile: the refused upload left nothing; the accepted one is there once.
      const check = createPrismaClient(pg.url, 1);
      try {
        expect(await check.image.count({ where: { caseId } })).toBe(1);
        expect(await check.case.count({ where: { organizationId: org.tenant } })).toBe(2);
      } finally {
        await check.$disconnect();
      }
    } finally {
      await ingestion.close();
      await api.app.close();
      await pg.stop();
    }
  });
});
