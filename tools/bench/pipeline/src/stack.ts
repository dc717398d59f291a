import { join } from 'node:path';
import { createPrismaClient, ensureOrganization, issueApiKey } from '@dg/db';
import { startBenchServers } from '../../shared/servers';
import { generateTinyModel } from '../../../model/src/generate-tiny-model';

export interface BenchStack {
  root: string;
  env: Record<string, string>;
  redisUrl: string;
  modelDir: string;
  tenant: string;
  caseId: string;
  key: string;
  stop(): Promise<void>;
}

/** Real PostgreSQL, Redis and s3rver on loopback, migrated, with one tenant, key and case. */
export async function startStack(): Promise<BenchStack> {
  const { root, pg, redis, s3, stop } = await startBenchServers('pipeline');
  try {
    const modelDir = join(root, 'tiny-model');
    await generateTinyModel(modelDir);
    const prisma = createPrismaClient(pg.url, 2);
    const { tenantId } = await ensureOrganization(prisma, 'bench', 'Bench Dental');
    const patient = await prisma.patient.create({ data: { organizationId: tenantId, externalId: 'BENCH-1' } });
    const caseId = (await prisma.case.create({ data: { organizationId: tenantId, patientId: patient.id } })).id;
    const { key } = await issueApiKey(prisma, tenantId, { name: 'bench', scopes: ['read', 'write'] });
    await prisma.$disconnect();
    const env = {
      NODE_ENV: 'production',
      MODEL_ALLOW_TINY: 'true',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url,
      QUEUE_BACKEND: 'redis',
      REDIS_URL: redis.url,
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      MODEL_DIR: modelDir,
      MODEL_ID: 'tiny-dentalgemma',
      MAX_NEW_TOKENS_IMAGE: '16',
      MAX_NEW_TOKENS_TEXT: '16',
      UPLOAD_TMP_DIR: join(root, 'spool'),
    };
    return { root, env, redisUrl: redis.url, modelDir, tenant: tenantId, caseId, key, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
