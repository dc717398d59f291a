import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { createPrismaClient, type PrismaClient } from '@dg/db';
import { freePort, startRedis } from '@dg/devstack';
import { listen } from '@dg/http';
import { DeadLetterQueue, queueConnection } from '@dg/queue';
import { LANE_QUEUES } from '@dg/contracts';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { testEnv, uniqueName } from '@dg/testing';
import { createInferenceWorker } from '../../apps/inference-worker/src/app';
import { caseApiWith, createTenant, type TestTenant } from '../support/case-api';
import { waitFor } from '../support/platform';
import { tinyWorkerEnv, workerProcess } from '../support/worker-process';

/**
 * Workers and Redis failing under load. After each, the counts reconcile: every requested
 * assessment completed exactly once (one row, one stored result, nothing left queued or running).
 */
describe('worker and queue faults', () => {
  const t = testEnv();
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrismaClient(t.DATABASE_URL, 2);
  });
  afterAll(() => prisma.$disconnect());

  const caseApi = caseApiWith;
  async function request(url: string, org: TestTenant, n: number): Promise<{ caseId: string; ids: string[] }> {
    const headers = { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) =>
      (
        (await (await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as {
          id: string;
        }
      ).id;
    const caseId = await post('/v1/cases', {
      patient: { externalId: uniqueName('p') },
      chiefComplaint: 'Pain on biting, lower left, two weeks.',
    });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await post(`/v1/cases/${caseId}/assessments`, { task: 'case-analysis' }));
    return { caseId, ids };
  }
  async function reconcile(caseId: string, ids: string[]): Promise<void> {
    await waitFor(
      `all ${ids.length} assessments completed`,
      async () =>
        (await prisma.assessment.count({ where: { caseId, status: 'completed' } })) === ids.length ? true : undefined,
      90_000,
    );
    const rows = await prisma.assessment.findMany({ where: { caseId } });
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.status === 'completed' && r.rawText !== null && r.completedAt !== null)).toBe(true);
  }

  /**
   * An image assessment whose derivative is a FIFO nobody writes to: reading it hangs the job
   * (without blocking the worker's event loop, so its lock stays renewed) until `unblock` puts a
   * real image in its place or the worker dies.
   */
  async function hangingImageJob(url: string, org: TestTenant, root: string) {
    const { caseId } = await request(url, org, 0);
    const path = join(root, 'hang', 'derivative.png');
    await mkdir(join(root, 'hang'), { recursive: true });
    execFileSync('mkfifo', [path]);
    const image = await prisma.image.create({
      data: {
        organizationId: org.tenant,
        caseId,
        sha256: 'f'.repeat(64),
        dedupKey: 'f'.repeat(64),
        format: 'png',
        modality: 'panoramic',
        width: 896,
        height: 896,
        sizeBytes: 1,
        normalizedKey: 'hang/derivative.png',
        thumbnailKey: 'hang/thumbnail.jpg',
        transform: {},
      },
    });
    const res = await fetch(`${url}/v1/cases/${caseId}/assessments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'pathology-classification', imageId: image.id }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const unblock = async () => {
      await rm(path);
      const png = await sharp({ create: { width: 896, height: 896, channels: 3, background: '#777' } })
        .png()
        .toBuffer();
      await writeFile(path, png);
    };
    return { id, caseId, imageId: image.id, unblock };
  }

  /**
   * case-api and the interactive lane on a queue prefix of their own, and worker settings with short
   * locks: a dead worker's job is taken over in about 6 s. Not shorter: a live worker renews its lock
   * every half lock, and on a loaded CI machine a timer can run a second late; a lapsed lock would
   * stall a job whose worker is alive and throw the stall counts below off.
   */
  async function stallRig(name: string, extra: Record<string, string> = {}) {
    const prefix = uniqueName(name);
    const env = tinyWorkerEnv(t.REDIS_URL, prefix, { LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '1000', ...extra });
    const api = await caseApi({ REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: prefix });
    const conn = queueConnection({ QUEUE_BACKEND: 'redis', REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: prefix });
    const queue = new Queue(LANE_QUEUES.interactive, { connection: conn.connection as never, prefix });
    return { root: env.STORAGE_FS_ROOT, env, api, conn, queue };
  }

  it('releases a job on SIGTERM within the drain time, and another worker finishes it', async () => {
    const { root, env, api, queue } = await stallRig('drain', { DRAIN_TIMEOUT_MS: '1000' });
    const first = await workerProcess(env);
    let second: Awaited<ReturnType<typeof workerProcess>> | undefined;
    try {
      const org = await createTenant(prisma, 'drain');
      const { id, caseId, unblock } = await hangingImageJob(api.url, org, root);
      // Running as case-api sees it (the worker's started event consumed), not only taken in BullMQ.
      await waitFor('the job running', async () =>
        (await prisma.assessment.findUnique({ where: { id } }))?.status === 'running' ? true : undefined,
      );
      // What Kubernetes does on a node drain: SIGTERM, then SIGKILL after the grace period.
      const exited = new Promise<string | null>((r) => first.child.once('exit', (_code, signal) => r(signal)));
      const sent = Date.now();
      first.child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM');
      // DRAIN_TIMEOUT_MS plus closing the connections, inside Kubernetes' default 30 s grace period:
      // a worker that waited for the hung job would never exit on its own.
      expect(Date.now() - sent).toBeLessThan(25_000);
      expect(await prisma.assessment.findUnique({ where: { id } })).toMatchObject({ status: 'running' });
      await unblock();
      // The second worker keeps the usual long lock: the count below is the first worker's stall
      // alone, whatever a busy machine does to the second one's timers while it runs the model.
      second = await workerProcess({ ...env, LOCK_DURATION_MS: '30000' });
      await reconcile(caseId, [id]);
      expect((await queue.getJob(id))?.stalledCounter).toBe(1);
    } finally {
      await first.kill9();
      await second?.kill9();
      await queue.close();
      await api.app.close();
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('finishes on another worker the job of a worker killed with SIGKILL mid-job', async () => {
    const prefix = uniqueName('kill');
    const env = tinyWorkerEnv(t.REDIS_URL, prefix, {
      BATCH_MAX_SIZE: '1',
      MAX_NEW_TOKENS_TEXT: '400',
      LOCK_DURATION_MS: '1500',
      STALLED_INTERVAL_MS: '1000',
    });
    const api = await caseApi({ REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: prefix });
    const first = await workerProcess(env);
    let second: Awaited<ReturnType<typeof workerProcess>> | undefined;
    try {
      const org = await createTenant(prisma, 'kill');
      const { caseId, ids } = await request(api.url, org, 4);
      // The moment the first worker reports a job running, it dies without any chance to clean up.
      await waitFor(
        'a running job',
        async () => ((await prisma.assessment.count({ where: { caseId, status: 'running' } })) > 0 ? true : undefined),
        60_000,
      );
      await first.kill9();
      const pending = await prisma.assessment.count({ where: { caseId, status: { not: 'completed' } } });
      expect(pending).toBeGreaterThan(0);
      second = await workerProcess(env);
      await reconcile(caseId, ids);
    } finally {
      await first.kill9();
      await second?.kill9();
      await api.app.close();
    }
  });

  it('fails a job that takes down every worker it lands on: dead-lettered, its assessment failed', async () => {
    const { root, env, api, conn, queue } = await stallRig('poison');
    const dead = new DeadLetterQueue(conn);
    const workers: Awaited<ReturnType<typeof workerProcess>>[] = [];
    try {
      const org = await createTenant(prisma, 'poison');
      const { id, imageId } = await hangingImageJob(api.url, org, root);
      // BullMQ allows two stalls (maxStalledCount 2): three workers die holding the job, each after
      // picking it up again (its stall counter tells the pickups apart).
      for (let stalls = 0; stalls < 3; stalls++) {
        workers.push(await workerProcess(env));
        await waitFor(
          `pickup after ${stalls} stalls`,
          async () => {
            const job = await queue.getJob(id);
            return job?.stalledCounter === stalls && (await job.getState()) === 'active' ? true : undefined;
          },
          30_000,
        );
        await workers.at(-1)!.kill9();
      }
      // The fourth worker finds it stalled once too often: BullMQ fails it before any handler runs.
      workers.push(await workerProcess(env));
      const failed = await waitFor(
        'the assessment failed',
        async () => {
          const row = await prisma.assessment.findUnique({ where: { id } });
          return row?.status === 'failed' ? row : undefined;
        },
        30_000,
      );
      expect(failed.error).toMatch(/stalled/);
      expect(failed.completedAt).not.toBeNull();
      const letters = await waitFor('its dead letter', async () => {
        const mine = (await dead.list()).filter((d) => d.job.assessmentId === id);
        return mine.length ? mine : undefined;
      });
      expect(letters).toHaveLength(1);
      expect(await prisma.assessment.count({ where: { imageId } })).toBe(1);
    } finally {
      for (const w of workers) await w.kill9();
      await queue.close();
      await dead.close();
      await api.app.close();
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);

  it('completes every job across a Redis restart (AOF persistence on)', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'dg-redis-restart-'));
    let redis = await startRedis({ dataDir, port, appendOnly: true });
    const prefix = uniqueName('aof');
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix };
    const api = await caseApi(env);
    const worker = await createInferenceWorker(
      loadConfig(
        WorkerEnvSchema,
        tinyWorkerEnv(env.REDIS_URL, prefix, {
          BATCH_MAX_SIZE: '2',
          // Enough work that the restart lands while most of it is still to do.
          MAX_NEW_TOKENS_TEXT: '200',
        }),
      ),
    );
    await listen(worker, 0, '127.0.0.1');
    try {
      const org = await createTenant(prisma, 'aof');
      const { caseId, ids } = await request(api.url, org, 30);
      await waitFor(
        'the first result',
        async () =>
          (await prisma.assessment.count({ where: { caseId, status: 'completed' } })) > 0 ? true : undefined,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 1200)); // past AOF's once-a-second fsync
      const unfinished = await prisma.assessment.count({ where: { caseId, status: { not: 'completed' } } });
      expect(unfinished).toBeGreaterThan(0); // the restart lands mid-batch
      await redis.stop();
      await new Promise((r) => setTimeout(r, 500));
      redis = await startRedis({ dataDir, port, appendOnly: true });
      await reconcile(caseId, ids);
    } finally {
      await worker.close();
      await api.app.close();
      await redis.stop();
    }
  });
});
