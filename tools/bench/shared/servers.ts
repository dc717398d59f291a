import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOrganization, issueApiKey, type PrismaClient } from '@dg/db';
import { findRedisServer, s3Env, startPostgres, startRedis, startS3 } from '@dg/devstack';
import { migrateDeploy } from '../../db/src/migrate-deploy';

export type BenchServers = Awaited<ReturnType<typeof startBenchServers>>;

/**
 * Real PostgreSQL (migrated), Redis and s3rver on loopback in a fresh temp folder, for a bench;
 * `stop` stops them and removes the folder.
 */
export async function startBenchServers(bench: string) {
  if (!findRedisServer()) throw new Error(`bench:${bench} needs redis-server (apt-get install -y redis-server)`);
  const root = await mkdtemp(join(tmpdir(), `dg-bench-${bench}-`));
  // PostgreSQL runs as its own user when this runs as root: let it into the folder.
  await chmod(root, 0o755);
  const [pg, redis, s3] = await Promise.all([
    startPostgres({ dataDir: join(root, 'pg'), persistent: false }),
    startRedis({ dataDir: join(root, 'redis') }),
    startS3({ dataDir: join(root, 's3'), bucket: 'bench' }),
  ]);
  const stop = async () => {
    for (const s of [redis, s3, pg]) await s.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await migrateDeploy({ databaseUrl: pg.url, migrationsDir: join(__dirname, '../../../prisma/migrations') });
  } catch (error) {
    await stop();
    throw error;
  }
  // What every service needs to reach these servers; a bench adds its own settings.
  const env: Record<string, string> = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    ...s3Env(s3),
    UPLOAD_TMP_DIR: join(root, 'spool'),
  };
  return { root, pg, redis, s3, env, stop };
}

/** A tenant with one patient, one case and a read + write API key, for a bench's client. */
export async function benchTenant(prisma: PrismaClient, slug: string) {
  const { tenantId } = await ensureOrganization(prisma, slug, `Bench ${slug}`);
  const patient = await prisma.patient.create({ data: { organizationId: tenantId, externalId: `${slug}-1` } });
  const caseId = (await prisma.case.create({ data: { organizationId: tenantId, patientId: patient.id } })).id;
  const { key } = await issueApiKey(prisma, tenantId, { name: 'bench', scopes: ['read', 'write'] });
  return { tenantId, caseId, key };
}
