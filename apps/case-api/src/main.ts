import 'reflect-metadata';
import { CaseApiEnvSchema, loadConfig } from '@dg/config';
import { listen } from '@dg/http';
import { createCaseApi } from './app';

async function main(): Promise<void> {
  const config = loadConfig(CaseApiEnvSchema);
  const app = await createCaseApi(config);
  const url = await listen(app, config.PORT, config.HOST);
  app.getHttpAdapter().getInstance().log.info(`case-api listening on ${url}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
