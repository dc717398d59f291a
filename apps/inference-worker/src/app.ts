import type { WorkerConfig } from '@dg/config';
import { createFastifyApp } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InferenceWorkerModule } from './app.module';

export function createInferenceWorker(config: WorkerConfig): Promise<NestFastifyApplication> {
  return createFastifyApp(InferenceWorkerModule.forRoot(config));
}
