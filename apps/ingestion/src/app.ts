import multipart from '@fastify/multipart';
import type { IngestionConfig } from '@dg/config';
import { createFastifyApp } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IngestionModule } from './app.module';

export async function createIngestion(config: IngestionConfig): Promise<NestFastifyApplication> {
  const app = await createFastifyApp(IngestionModule.forRoot(config));
  await app.register(multipart as never);
  return app;
}
