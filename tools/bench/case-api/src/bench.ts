import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseApiEnvSchema, loadConfig } from '@dg/config';
import { createPrismaClient } from '@dg/db';
import { findRedisServer, startPostgres, startRedis } from '@dg/devstack';
import { listen } from '@dg/http';
import { createCaseApi } from '../../../../apps/case-api/src/app';
import { migrateDeploy } from '../../../db/src/migrate-deploy';
import { startBare } from './bare-server';
import { seedCase } from './seed';

// autocannon ships no types; the part used here.
const autocannon = require('autocannon') as (opts: object) => Promise<{
  requests: { average: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

/**
 * `npm run bench:case-api`: GET /v1/cases/:id (with its images, assessments and findings, through
 * the API key guard, audit log and rate limiter) against a bare Fastify + pg route reading the same
 * rows, in the same run on the same embedded PostgreSQL, at 200 concurrent connections.
 * BENCH_SECONDS (default 10) per target; BENCH_CONNECTIONS (default 200).
 */
async function main(): Promise<void> {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
  const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 200);
  const root = await mkdtemp(join(tmpdir(), 'dg-bench-'));
  // PostgreSQL runs as its own user when this runs as root: let it into the folder.
  await chmod(root, 0o755);
  const pg = await startPostgres({ dataDir: join(root, 'pg'), persistent: false });
  const redis = findRedisServer() ? await startRedis({ dataDir: join(root, 'redis') }) : undefined;
  const stops: (() => Promise<unknown>)[] = [() => pg.stop()];
  if (redis) stops.unshift(() => redis.stop());
  try {
    await migrateDeploy({
      databaseUrl: pg.url,
      migrationsDir: join(__dirname, '..', '..', '..', '..', 'prisma', 'migrations'),
    });
    const prisma = createPrismaClient(pg.url, 2);
    const { tenant, caseId, key } = await seedCase(prisma);
    await prisma.$disconnect();

    const config = loadConfig(CaseApiEnvSchema, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url,
      ...(redis ? { QUEUE_BACKEND: 'redis', REDIS_URL: redis.url } : { QUEUE_BACKEND: 'postgres' }),
    });
    const app = await createCaseApi(config, { rateLimitMax: 100_000_000 });
    const caseApi = await listen(app, 0, '127.0.0.1');
    stops.unshift(() => app.close());
    const bare = await startBare(pg.url, tenant);
    stops.unshift(() => bare.close());

    const check = await fetch(`${caseApi}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await check.json()) as { assessments: unknown[]; findings: unknown[] };
    if (check.status !== 200 || body.assessments.length !== 3 || body.findings.length !== 6) {
      throw new Error(`case-api did not return the seeded case (${check.status})`);
    }

    const run = async (title: string, url: string, headers: Record<string, string> = {}) => {
      await autocannon({ url, connections: 20, duration: 2, headers }); // warm-up
      const r = await autocannon({ url, connections, duration: seconds, headers });
      if (r.non2xx || r.errors) throw new Error(`${title}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      console.log(
        `${title.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms`,
      );
      return r;
    };
    console.log(`GET one case with 3 assessments and 6 findings, ${connections} connections, ${seconds} s each`);
    const baseline = await run('bare fastify + pg', `${bare.url}/bare/cases/${caseId}`);
    const measured = await run('case-api GET /v1/cases/:id', `${caseApi}/v1/cases/${caseId}`, {
      authorization: `Bearer ${key}`,
    });
    if (process.env['BENCH_PROBE']) {
      await run('case-api /health/live', `${caseApi}/health/live`);
      await run('case-api GET /v1/clinics', `${caseApi}/v1/clinics`, { authorization: `Bearer ${key}` });
    }
    const ratio = measured.requests.average / baseline.requests.average;
    console.log(
      `p99 at ${connections} connections: case-api ${measured.latency.p99} ms, bare ${baseline.latency.p99} ms`,
    );
    // Let the requests autocannon cut off finish before the database goes away (no shutdown noise).
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`case-api: ${ratio.toFixed(2)} (target >= 0.5)`);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
