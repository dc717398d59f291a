import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, startRedis, startS3 } from '../libs/devstack/src';
import { migrateDeploy } from '../tools/db/src/migrate-deploy';
import { generateTinyModel } from '../tools/model/src/generate-tiny-model';

/**
 * Starts real PostgreSQL, Redis and an S3 server on random loopback ports, applies the committed
 * migrations and generates the tiny model, once for the whole integration run.
 */
export default async function globalSetup(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'dg-test-'));
  // PostgreSQL runs as its own user when the suite runs as root (CI): let it into the folder.
  await chmod(root, 0o755);
  const [pg, redis, s3] = await Promise.all([
    startPostgres({ dataDir: join(root, 'pg'), persistent: false }),
    startRedis({ dataDir: join(root, 'redis') }),
    startS3({ dataDir: join(root, 's3'), bucket: 'dentalgemma-test' }),
  ]);
  (globalThis as Record<string, unknown>)['__DG_STACK__'] = { pg, redis, s3, root };

  await migrateDeploy({ databaseUrl: pg.url, migrationsDir: join(__dirname, '..', 'prisma', 'migrations') });
  const modelDir = join(root, 'tiny-model');
  await generateTinyModel(modelDir);

  Object.assign(process.env, {
    DG_TEST_DATABASE_URL: pg.url,
    DG_TEST_REDIS_URL: redis.url,
    DG_TEST_S3_ENDPOINT: s3.endpoint,
    DG_TEST_S3_BUCKET: s3.bucket,
    DG_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId,
    DG_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    DG_TEST_TINY_MODEL_DIR: modelDir,
  });
}
