import type { CaseApiConfig } from '@dg/config';
import { createFastifyApp } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CaseApiModule } from './app.module';

/** Builds the app without listening, so tests and the local launcher run exactly what main runs. */
export function createCaseApi(config: CaseApiConfig): Promise<NestFastifyApplication> {
  return createFastifyApp(CaseApiModule.forRoot(config));
}
