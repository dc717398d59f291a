import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseApiEnvSchema, loadConfig } from '@dg/config';
import { createPrismaClient } from '@dg/db';
import { freePort } from '@dg/devstack';
import { JobProducer, queueConnection } from '@dg/queue';
import { testEnv, uniqueName } from '@dg/testing';
import { migrateDeploy } from '../../tools/db/src/migrate-deploy';
import { caseApiWith, completedResult, createTenant } from '../support/case-api';
import { waitFor } from '../support/platform';
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

  it('stores results that arrived while case-api was down, once each, when it comes back', async () => {
    const env = { DATABASE_URL: t.DATABASE_URL, REDIS_URL: t.REDIS_URL, QUEUE_PREFIX: uniqueName('down') };
    const prisma = createPrismaClient(t.DATABASE_URL, 2);
    let api = await caseApi(env);
    const org = await createTenant(prisma, 'down');
    const caseId = (await post(api.url, org.key, '/v1/cases', { patient: { externalId: 'F-1' } })).id;
    const assessment = await post(api.url, org.key, `/v1/cases/${caseId}/assessments`, { task: 'case-analysis' });
    await api.app.close();

    const results = new JobProducer('results', queueConnection(loadConfig(CaseApiEnvSchema, env)));
    const result = completedResult(org.tenant, assessment.id);
    await results.add('assessment.completed', result, { jobId: `${assessment.id}.completed` });
    // A redelivery under another job id (as after a worker crash) must not store it twice.
    await results.add('assessment.completed', result, { jobId: `${assessment.id}.completed.redelivered` });
    expect((await prisma.assessment.findUniqueOrThrow({ where: { id: assessment.id } })).status).toBe('queued');

    api = await caseApi(env);
    try {
      await waitFor('the stored result', async () => {
        const row = await prisma.assessment.findUniqueOrThrow({ where: { id: assessment.id } });
        return row.status === 'completed' ? row : undefined;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(await prisma.assessment.count({ where: { caseId } })).toBe(1);
      expect((await prisma.assessment.findUniqueOrThrow({ where: { id: assessment.id } })).rawText).toBe(
        result.rawText,
      );
    } finally {
      await results.close();
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
    const ready = async () => (await fetch(`${api.url}/health/ready`)).status;
    try {
      expect(await ready()).toBe(200);
      await pg.stop();
      await waitFor('readiness to fail', async () => ((await ready()) === 503 ? true : undefined), 20_000);
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
      const created = await post(api.url, org.key, '/v1/cases', { patient: { externalId: 'after-outage' } });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await api.app.close();
      await pg.stop();
    }
  });
});
