import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@dg/devstack';
import { testEnv } from '@dg/testing';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  kill9(): Promise<void>;
}

/** The inference worker as its own OS process (its real main.ts), so a spec can kill -9 it. */
export function workerProcess(env: Record<string, string>): Promise<ServiceProcess> {
  return serviceProcess('inference-worker', env);
}

/** A service as its own OS process (its real main.ts), ready when it says so on /health/ready. */
export async function serviceProcess(
  app: 'inference-worker' | 'ingestion',
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${app}/src/main.ts`], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited at start: ${stderr}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${app} not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    kill9: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/**
 * A test worker's settings: the tiny model, its storage on disk under the queue prefix's name, quiet
 * logs; `extra` adds or overrides (batching, token budgets, lock timings).
 */
export function tinyWorkerEnv(redisUrl: string, prefix: string, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    STORAGE_DRIVER: 'fs',
    STORAGE_FS_ROOT: join(tmpdir(), prefix),
    MODEL_DIR: testEnv().TINY_MODEL_DIR,
    ...extra,
  };
}
