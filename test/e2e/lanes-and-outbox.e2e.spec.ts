import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { LANE_QUEUES } from '@dg/contracts';
import { createPrismaClient, type PrismaClient } from '@dg/db';
import { freePort, startRedis } from '@dg/devstack';
import { listen } from '@dg/http';
import { InferenceLanes, queueConnection, redisOptions } from '@dg/queue';
import { testEnv, uniqueName } from '@dg/testing';
import { Queue } from 'bullmq';
import { JobReconciler } from '../../apps/case-api/src/outbox/job-reconciler';
import { createInferenceWorker } from '../../apps/inference-worker/src/app';
import { caseApiWith, createTenant, type TestTenant } from '../support/case-api';
import { waitFor } from '../support/platform';
import { tinyWorkerEnv } from '../support/worker-process';

/** Lanes, priorities and the job outbox, on real Redis, Postgres and (for the lanes) a real worker. */
describe('queue lanes and the transactional outbox', () => {
  const t = testEnv();
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrismaClient(t.DATABASE_URL, 2);
  });
  afterAll(() => prisma.$disconnect());

  const caseApi = caseApiWith;
  const post = async (url: string, key: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string; status: string } };
  };
  const newCase = async (url: string, org: TestTenant) =>
    (await post(url, org.key, '/v1/cases', { patient: { externalId: uniqueName('p') }, chiefComplaint: 'pain' })).body
      .id;

  it('keeps an assessment and its job together through a queue outage', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'dg-redis-outage-'));
    let redis = await startRedis({ dataDir, port, appendOnly: true });
    const prefix = uniqueName('outbox');
    const { app, url } = await caseApi({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
    const queue = new Queue('inference', {
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
      prefix,
    });
    try {
      const org = await createTenant(prisma, 'outbox');
      const caseId = await newCase(url, org);
      await redis.stop();

      const accepted = await post(url, org.key, `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' });
      expect(accepted).toMatchObject({ status: 201, body: { status: 'queued' } });
      const outboxRow = () => prisma.jobOutbox.findUnique({ where: { jobId: accepted.body.id } });
      expect(await outboxRow()).toMatchObject({ queue: 'interactive', dispatchedAt: null });

      redis = await startRedis({ dataDir, port, appendOnly: true });
      await waitFor(
        'the relay to send the job',
        async () => ((await outboxRow())?.dispatchedAt ? true : undefined),
        20_000,
      );
      const job = await queue.getJob(accepted.body.id);
      expect(job?.data).toMatchObject({ assessmentId: accepted.body.id, lane: 'interactive', task: 'case-analysis' });
      // Transient failures are retried with exponential backoff and jitter (a fleet failing together
      // does not come back in lockstep); failed jobs stay a week for the dead-letter view.
      expect(job?.opts).toMatchObject({
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    } finally {
      await queue.close();
      await app.close();
      await redis.stop();
    }
  });

  it('sends again a job the queue lost, and prunes the outbox rows of finished assessments', async () => {
    const prefix = uniqueName('lost');
    const { app, url } = await caseApi({
      REDIS_URL: t.REDIS_URL,
      QUEUE_PREFIX: prefix,
      JOB_RECONCILE_INTERVAL_MS: '0', // rounds run by hand below
      // Other suites share the database: only this test's backdated assessments are old enough.
      JOB_RECONCILE_AFTER_MS: String(3600_000),
      OUTBOX_RETENTION_HOURS: '24',
    });
    const queue = new Queue('inference', { connection: redisOptions(t.REDIS_URL) as never, prefix });
    try {
      const org = await createTenant(prisma, 'lost');
      const caseId = await newCase(url, org);
      const [lost, kept] = [
        (await post(url, org.key, `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' })).body.id,
        (await post(url, org.key, `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' })).body.id,
      ];
      await waitFor('both jobs dispatched', async () =>
        (await prisma.jobOutbox.count({ where: { jobId: { in: [lost, kept] }, dispatchedAt: { not: null } } })) === 2
          ? true
          : undefined,
      );
      const hoursAgo = new Date(Date.now() - 2 * 3600_000);
      await prisma.assessment.updateMany({ where: { id: { in: [lost, kept] } }, data: { createdAt: hoursAgo } });
      const keptAt = (await queue.getJob(kept))!.timestamp;
      // What a Redis crash inside its fsync second, or a flushed queue, does to a job.
      await (await queue.getJob(lost))!.remove();
      await app.get(JobReconciler).runOnce();
      expect((await queue.getJob(lost))?.data).toMatchObject({ assessmentId: lost, task: 'case-analysis' });
      expect((await queue.getJob(kept))!.timestamp).toBe(keptAt); // a live job is left alone
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
        /dentalgemma_jobs_resent_total\{lane="interactive"[^}]*\} 1\b/,
      );
      expect(await prisma.assessment.count({ where: { caseId } })).toBe(2);

      // Outbox rows go once their assessment is finished and the retention has passed; an
      // unfinished assessment's row stays, however old, since it is what a lost job is re-sent from.
      const old = new Date(Date.now() - 48 * 3600_000);
      await prisma.jobOutbox.updateMany({ where: { jobId: { in: [lost, kept] } }, data: { dispatchedAt: old } });
      await prisma.assessment.update({ where: { id: kept }, data: { status: 'completed', completedAt: new Date() } });
      await app.get(JobReconciler).runOnce();
      const rows = await prisma.jobOutbox.findMany({ where: { jobId: { in: [lost, kept] } } });
      expect(rows.map((r) => r.jobId)).toEqual([lost]);
    } finally {
      await queue.close();
      await app.close();
    }
  });

  it('shares the batch lane fairly between tenants and orders the interactive lane by urgency', async () => {
    const prefix = uniqueName('fair');
    const { app, url } = await caseApi({ REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: prefix });
    const conn = {
      connection: { host: new URL(t.REDIS_URL).hostname, port: Number(new URL(t.REDIS_URL).port) },
      prefix,
    };
    const batch = new Queue('inference-batch', conn);
    const interactive = new Queue('inference', conn);
    try {
      const [big, small] = [await createTenant(prisma, 'big'), await createTenant(prisma, 'small')];
      const [bigCase, smallCase] = [await newCase(url, big), await newCase(url, small)];
      for (let i = 0; i < 6; i++)
        await post(url, big.key, `/v1/cases/${bigCase}/assessments`, { task: 'case-analysis', lane: 'batch' });
      for (let i = 0; i < 2; i++)
        await post(url, small.key, `/v1/cases/${smallCase}/assessments`, { task: 'case-analysis', lane: 'batch' });
      const routine = await post(url, small.key, `/v1/cases/${smallCase}/assessments`, { task: 'case-analysis' });
      const emergency = await post(url, small.key, `/v1/cases/${smallCase}/assessments`, {
        task: 'case-analysis',
        urgency: 'emergency',
      });

      await waitFor('8 batch jobs', async () =>
        (await batch.getJobCountByTypes('prioritized')) === 8 ? true : undefined,
      );
      const jobs = await batch.getJobs(['prioritized']);
      const order = jobs
        .sort((a, b) => a.opts.priority! - b.opts.priority!)
        .map((j) => (j.data.tenantId === small.tenant ? 'small' : 'big'));
      // The small chain's 2 jobs are among the first 4 to run, not after the big chain's 6.
      expect(order.slice(0, 4).filter((o) => o === 'small')).toHaveLength(2);

      await waitFor('2 interactive jobs', async () =>
        (await interactive.getJobCountByTypes('prioritized')) === 2 ? true : undefined,
      );
      expect((await interactive.getJob(emergency.body.id))!.opts.priority).toBeLessThan(
        (await interactive.getJob(routine.body.id))!.opts.priority!,
      );
    } finally {
      await Promise.all([batch.close(), interactive.close()]);
      await app.close();
    }
  });

  it('serves an interactive job ahead of a 5,000-job backfill: at most a few batches of it finish first', async () => {
    const prefix = uniqueName('lanes');
    const batchSize = 4;
    const env = tinyWorkerEnv(t.REDIS_URL, prefix, {
      BATCH_MAX_SIZE: String(batchSize),
      MAX_NEW_TOKENS_TEXT: '16',
    });
    const lanes = new InferenceLanes(queueConnection(loadConfig(WorkerEnvSchema, env)));
    const job = (n: number, lane: 'interactive' | 'batch') => ({
      assessmentId: `${String(n).padStart(8, '0')}-1111-4111-8111-111111111111`,
      tenantId: '22222222-2222-4222-8222-222222222222' as never,
      task: 'case-analysis' as const,
      input: { kind: 'text' as const, caseText: { chiefComplaint: `backfill item ${n}` } },
      lane,
    });
    for (let n = 0; n < 5000; n++)
      await lanes.add('batch', job(n, 'batch'), { jobId: `b${n}`, priority: 1 + (n % 1000) });

    const worker = await createInferenceWorker(loadConfig(WorkerEnvSchema, env));
    const url = await listen(worker, 0, '127.0.0.1');
    const batches = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/dentalgemma_engine_batch_size_count\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const [interactive, backfill] = [LANE_QUEUES.interactive, LANE_QUEUES.batch].map(
      (name) => new Queue(name, { connection: redisOptions(t.REDIS_URL) as never, prefix }),
    ) as [Queue, Queue];
    try {
      await waitFor('the backfill to be under way', async () => ((await batches()) >= 3 ? true : undefined), 60_000);
      await lanes.add('interactive', job(99999, 'interactive'), { jobId: 'chairside', priority: 1 });
      const chairside = await waitFor(
        'the chairside job',
        async () => {
          const j = await interactive.getJob('chairside');
          return j?.finishedOn ? j : undefined;
        },
        30_000,
      );
      // Counted from the jobs' own Redis timestamps, not by polling a metric around it: the batch
      // running when it arrived, perhaps one formed before it reached the batcher, the others in
      // its own, and one batch to spare. Queued behind the backfill, thousands would finish first.
      const overtaking = (await backfill.getJobs(['completed'])).filter(
        (j) => j.finishedOn! > chairside.timestamp && j.finishedOn! < chairside.finishedOn!,
      );
      expect(overtaking.length).toBeLessThanOrEqual(4 * batchSize);
      const backlog = await (await fetch(`${url}/metrics`)).text();
      expect(Number(/dentalgemma_queue_backlog\{lane="batch"[^}]*\} (\d+)/.exec(backlog)?.[1])).toBeGreaterThan(4000);
    } finally {
      await Promise.all([interactive.close(), backfill.close()]);
      await worker.close();
      await lanes.close();
    }
  });
});
