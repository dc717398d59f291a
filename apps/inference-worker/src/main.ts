import 'reflect-metadata';
import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { listen } from '@dg/http';
import { createInferenceWorker } from './app';

async function main(): Promise<void> {
  const config = loadConfig(WorkerEnvSchema);
  const app = await createInferenceWorker(config);
  const url = await listen(app, config.PORT, config.HOST);
  app.getHttpAdapter().getInstance().log.info(`inference-worker health and metrics on ${url}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
