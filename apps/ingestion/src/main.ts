import 'reflect-metadata';
import { IngestionEnvSchema, loadConfig } from '@dg/config';
import { listen } from '@dg/http';
import { createIngestion } from './app';

async function main(): Promise<void> {
  const config = loadConfig(IngestionEnvSchema);
  const app = await createIngestion(config);
  const url = await listen(app, config.PORT, config.HOST);
  app.getHttpAdapter().getInstance().log.info(`ingestion listening on ${url}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
