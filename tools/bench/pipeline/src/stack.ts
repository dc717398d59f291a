import { join } from 'node:path';
import { createPrismaClient } from '@dg/db';
import { benchTenant, startBenchServers } from '../../shared/servers';
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
  const { root, pg, redis, env: serverEnv, stop } = await startBenchServers('pipeline');
  try {
    const modelDir = join(root, 'tiny-model');
    await generateTinyModel(modelDir);
    const prisma = createPrismaClient(pg.url, 2);
    const { tenantId, caseId, key } = await benchTenant(prisma, 'bench');
    await prisma.$disconnect();
    const env = {
      ...serverEnv,
      NODE_ENV: 'production',
      MODEL_ALLOW_TINY: 'true',
      LOG_LEVEL: 'warn',
      QUEUE_BACKEND: 'redis',
      MODEL_DIR: modelDir,
      MODEL_ID: 'tiny-dentalgemma',
      MAX_NEW_TOKENS_IMAGE: '16',
      MAX_NEW_TOKENS_TEXT: '16',
    };
    return { root, env, redisUrl: redis.url, modelDir, tenant: tenantId, caseId, key, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
