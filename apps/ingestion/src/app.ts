import multipart from '@fastify/multipart';
import type { IngestionConfig } from '@dg/config';
import { createFastifyApp } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IngestionModule } from './app.module';
import type { InfrastructureOverrides } from './infrastructure/infrastructure.module';

export async function createIngestion(
  config: IngestionConfig,
  overrides: InfrastructureOverrides = {},
): Promise<NestFastifyApplication> {
  const app = await createFastifyApp(IngestionModule.forRoot(config, overrides), {
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
  });
  await app.register(multipart as never);
  return app;
}
