import { CaseApiEnvSchema, IngestionEnvSchema, loadConfig, WorkerEnvSchema } from '@dg/config';
import { listen } from '@dg/http';
import { testEnv, uniqueName } from '@dg/testing';
import type { INestApplication } from '@nestjs/common';
import { createCaseApi } from '../../apps/case-api/src/app';
import { createIngestion } from '../../apps/ingestion/src/app';
import { createInferenceWorker } from '../../apps/inference-worker/src/app';

export interface RunningPlatform {
  caseApi: string;
  ingestion: string;
  worker: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The three services, built by the same factories their main.ts uses, on the real servers the
 * global setup started, listening on random ports. A fresh queue prefix keeps specs apart.
 */
export async function startPlatform(overrides: Record<string, string> = {}): Promise<RunningPlatform> {
  const t = testEnv();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['DG_TEST_LOG_LEVEL'] ?? 'warn',
    PORT: '0',
    DATABASE_URL: t.DATABASE_URL,
    QUEUE_BACKEND: 'redis',
    REDIS_URL: t.REDIS_URL,
    QUEUE_PREFIX: uniqueName('q'),
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: t.S3_ENDPOINT,
    S3_BUCKET: t.S3_BUCKET,
    S3_ACCESS_KEY_ID: t.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: t.S3_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
    MODEL_DIR: t.TINY_MODEL_DIR,
    MODEL_ID: 'tiny-dentalgemma',
    MAX_NEW_TOKENS_IMAGE: '24',
    MAX_NEW_TOKENS_TEXT: '24',
    ...overrides,
  };
  const apps: INestApplication[] = [];
  const start = async (app: INestApplication) => {
    apps.push(app);
    return listen(app, 0, '127.0.0.1');
  };
  const caseApi = await start(await createCaseApi(loadConfig(CaseApiEnvSchema, env)));
  const ingestion = await start(await createIngestion(loadConfig(IngestionEnvSchema, env)));
  const worker = await start(await createInferenceWorker(loadConfig(WorkerEnvSchema, env)));
  return {
    caseApi,
    ingestion,
    worker,
    env,
    close: async () => {
      for (const app of apps.reverse()) await app.close();
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
