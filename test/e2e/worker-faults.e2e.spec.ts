import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { createPrismaClient, type PrismaClient } from '@dg/db';
import { freePort, startRedis } from '@dg/devstack';
import { listen } from '@dg/http';
import { testEnv, uniqueName } from '@dg/testing';
import { createInferenceWorker } from '../../apps/inference-worker/src/app';
import { caseApiWith, createTenant, type TestTenant } from '../support/case-api';
import { waitFor } from '../support/platform';
import { workerProcess } from '../support/worker-process';

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

  it('finishes on another worker the job of a worker killed with SIGKILL mid-job', async () => {
    const prefix = uniqueName('kill');
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: t.REDIS_URL,
      QUEUE_PREFIX: prefix,
      STORAGE_DRIVER: 'fs',
      STORAGE_FS_ROOT: join(tmpdir(), prefix),
      MODEL_DIR: t.TINY_MODEL_DIR,
      BATCH_MAX_SIZE: '1',
      MAX_NEW_TOKENS_TEXT: '400',
      LOCK_DURATION_MS: '1500',
      STALLED_INTERVAL_MS: '1000',
    };
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

  it('completes every job across a Redis restart (AOF persistence on)', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'dg-redis-restart-'));
    let redis = await startRedis({ dataDir, port, appendOnly: true });
    const prefix = uniqueName('aof');
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix };
    const api = await caseApi(env);
    const worker = await createInferenceWorker(
      loadConfig(WorkerEnvSchema, {
        ...env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        STORAGE_DRIVER: 'fs',
        STORAGE_FS_ROOT: join(tmpdir(), prefix),
        MODEL_DIR: t.TINY_MODEL_DIR,
        BATCH_MAX_SIZE: '2',
        MAX_NEW_TOKENS_TEXT: '64',
      }),
    );
    await listen(worker, 0, '127.0.0.1');
    try {
      const org = await createTenant(prisma, 'aof');
      const { caseId, ids } = await request(api.url, org, 10);
      await waitFor(
        'the first result',
        async () =>
          (await prisma.assessment.count({ where: { caseId, status: 'completed' } })) > 0 ? true : undefined,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 1200)); // past AOF's once-a-second fsync
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
