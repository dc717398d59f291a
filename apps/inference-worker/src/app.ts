import type { WorkerConfig } from '@dg/config';
import { createFastifyApp } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InferenceWorkerModule, type WorkerOptions } from './app.module';

export type { WorkerOptions } from './app.module';
export { engineSettings, type EngineFactory } from './infrastructure/infrastructure.module';

export function createInferenceWorker(
  config: WorkerConfig,
  options: WorkerOptions = {},
): Promise<NestFastifyApplication> {
  return createFastifyApp(InferenceWorkerModule.forRoot(config, options));
}
