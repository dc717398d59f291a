import { loadConfig, WorkerEnvSchema } from '@dg/config';
import { listen } from '@dg/http';
import { testEnv, uniqueName } from '@dg/testing';
import { createInferenceWorker } from './app';

describe('inference-worker boot', () => {
  it('refuses the tiny test model in production and says why on readiness', async () => {
    const t = testEnv();
    const config = loadConfig(WorkerEnvSchema, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      REDIS_URL: t.REDIS_URL,
      QUEUE_PREFIX: uniqueName('boot'),
      STORAGE_DRIVER: 'fs',
      STORAGE_FS_ROOT: '/tmp/dg-boot-spec',
      MODEL_DIR: t.TINY_MODEL_DIR,
    });
    const app = await createInferenceWorker(config);
    const base = await listen(app, 0, '127.0.0.1');
    try {
      let body: { details?: { model?: { status: string; message?: string } } } = {};
      for (let i = 0; i < 100 && body.details?.model?.message?.includes('loading') !== false; i++) {
        const res = await fetch(`${base}/health/ready`);
        expect(res.status).toBe(503);
        body = (await res.json()) as typeof body;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(body.details?.model).toEqual({
        status: 'down',
        message: expect.stringMatching(/tiny test model .* refused in production/),
      });
    } finally {
      await app.close();
    }
  });
});
