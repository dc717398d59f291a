import { CaseApiEnvSchema, IngestionEnvSchema, loadConfig, WorkerEnvSchema } from '@dg/config';
import { listen } from '@dg/http';
import type { INestApplication } from '@nestjs/common';
import { createCaseApi } from '../../../../apps/case-api/src/app';
import { createIngestion } from '../../../../apps/ingestion/src/app';
import { createInferenceWorker, type EngineFactory } from '../../../../apps/inference-worker/src/app';

export interface BenchPlatform {
  caseApi: string;
  ingestion: string;
  close(): Promise<void>;
}

/**
 * The three services in this process, built by the factories their main.ts uses; `engineFactory`
 * swaps the worker's ONNX Runtime engine for another (undefined: the real engine on the tiny model).
 */
export async function startPlatform(
  env: Record<string, string>,
  engineFactory: EngineFactory | undefined,
): Promise<BenchPlatform> {
  const apps: INestApplication[] = [];
  const start = async (app: INestApplication) => {
    apps.push(app);
    return listen(app, 0, '127.0.0.1');
  };
  const close = async () => {
    for (const app of apps.reverse()) await app.close();
  };
  try {
    const caseApi = await start(await createCaseApi(loadConfig(CaseApiEnvSchema, env), { rateLimitMax: 100_000_000 }));
    const ingestion = await start(await createIngestion(loadConfig(IngestionEnvSchema, env)));
    const worker = await start(await createInferenceWorker(loadConfig(WorkerEnvSchema, env), { engineFactory }));
    // Ready means the engine is loaded: nothing measured waits on a model load.
    for (const deadline = Date.now() + 120_000; ;) {
      if ((await fetch(`${worker}/health/ready`)).status === 200) break;
      if (Date.now() > deadline) throw new Error('worker did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { caseApi, ingestion, close };
  } catch (error) {
    await close();
    throw error;
  }
}
