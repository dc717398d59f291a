import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, startPostgres, startRedis, startS3 } from '@dg/devstack';
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
  return { root, pg, redis, s3, stop };
}
