import { CaseApiEnvSchema, loadConfig } from '@dg/config';
import { createPrismaClient, type PrismaClient } from '@dg/db';
import { listen } from '@dg/http';
import { DeadLetterQueue, queueConnection } from '@dg/queue';
import { testEnv, uniqueName } from '@dg/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { createTenant, type TestTenant } from '../../../../test/support/case-api';
import { waitFor } from '../../../../test/support/platform';
import { createCaseApi } from '../app';

describe('operators: dead letters per organization, and the queue dashboard', () => {
  const t = testEnv();
  const token = 'dashboard-secret-0123456789';
  let app: NestFastifyApplication;
  let url: string;
  let prisma: PrismaClient;
  let a: TestTenant;
  let b: TestTenant;
  let conn: ReturnType<typeof queueConnection>;

  beforeAll(async () => {
    const config = loadConfig(CaseApiEnvSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.DATABASE_URL,
      REDIS_URL: t.REDIS_URL,
      QUEUE_PREFIX: uniqueName('admin'),
      QUEUE_DASHBOARD_TOKEN: token,
    });
    conn = queueConnection(config);
    app = await createCaseApi(config);
    url = await listen(app, 0, '127.0.0.1');
    prisma = createPrismaClient(t.DATABASE_URL, 2);
    [a, b] = [await createTenant(prisma, 'dla'), await createTenant(prisma, 'dlb')];
  });
  afterAll(async () => {
    await app.close();
    await prisma.$disconnect();
  });

  const call = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };

  it("shows, retries and discards only the own organization's dead jobs", async () => {
    const caseId = (await call(a.key, 'POST', '/v1/cases', { patient: { externalId: 'dl-1' } })).body.id;
    const assessment = (await call(a.key, 'POST', `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' })).body;
    const inference = new Queue('inference', { connection: conn.connection as never, prefix: conn.prefix });
    const job = await waitFor('the relayed job', async () => (await inference.getJob(assessment.id)) ?? undefined);
    const dead = new DeadLetterQueue(conn);
    await dead.bury(job, 'CUDA error: an illegal memory access');
    await prisma.assessment.update({ where: { id: assessment.id }, data: { status: 'failed', error: 'CUDA error' } });

    const mine = await call(a.key, 'GET', '/v1/admin/dead-letters');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
    const id = mine.body.items[0].id;
    expect(mine.body.items[0]).toMatchObject({
      error: 'CUDA error: an illegal memory access',
      job: { assessmentId: assessment.id },
    });
    expect((await call(b.key, 'GET', '/v1/admin/dead-letters')).body.items).toEqual([]);
    expect((await call(b.key, 'GET', `/v1/admin/dead-letters/${id}`)).status).toBe(404);
    expect((await call(b.key, 'POST', `/v1/admin/dead-letters/${id}/retry`)).status).toBe(404);
    expect((await call(b.key, 'DELETE', `/v1/admin/dead-letters/${id}`)).status).toBe(404);

    const retried = await call(a.key, 'POST', `/v1/admin/dead-letters/${id}/retry`);
    expect(retried).toMatchObject({ status: 202, body: { requeued: assessment.id } });
    expect(await prisma.assessment.findUnique({ where: { id: assessment.id } })).toMatchObject({
      status: 'queued',
      error: null,
    });
    const waiting = await inference.getJobs(['waiting', 'prioritized']);
    expect(waiting.some((j) => j.id?.startsWith(`${assessment.id}.retry.`))).toBe(true);
    expect((await call(a.key, 'GET', '/v1/admin/dead-letters')).body.items).toEqual([]);

    await dead.bury(job, 'again');
    const again = (await call(a.key, 'GET', '/v1/admin/dead-letters')).body.items[0].id;
    expect((await call(a.key, 'DELETE', `/v1/admin/dead-letters/${again}`)).status).toBe(200);
    expect((await call(a.key, 'GET', `/v1/admin/dead-letters/${again}`)).status).toBe(404);
    await Promise.all([inference.close(), dead.close()]);
  });

  it("serves the queue dashboard only with the operators' token", async () => {
    expect((await fetch(`${url}/admin/queues`)).status).toBe(401);
    const wrong = `Basic ${Buffer.from('ops:not-the-token').toString('base64')}`;
    expect((await fetch(`${url}/admin/queues`, { headers: { authorization: wrong } })).status).toBe(401);
    const right = `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`;
    const page = await fetch(`${url}/admin/queues`, { headers: { authorization: right } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`${url}/admin/queues/api/queues`, { headers: { authorization: right } });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['inference', 'inference-batch', 'inference-dead', 'results']));
  });
});
