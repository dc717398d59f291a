/**
 * `prisma migrate deploy` without Prisma's native schema engine: applies the pending migrations of a
 * Prisma migrations directory to PostgreSQL with `pg`, bookkeeping in the same `_prisma_migrations`
 * table (same DDL, same columns, same checksums) so that the real Prisma CLI, Prisma Studio and the
 * wasm schema engine read the history as their own.
 *
 * What it does, in order (as the engine's `applyMigrations` does, plus a checksum check):
 *  1. connects (creating the database if it does not exist, as `migrate deploy` does);
 *  2. takes the session advisory lock Prisma Migrate uses, `pg_advisory_lock(72707369)`, so that two
 *     processes (this script, Prisma's CLI, parallel test workers) never migrate at once;
 *  3. creates `_prisma_migrations` if missing; refuses a non-empty schema without it (P3005);
 *  4. refuses if a migration is recorded as failed (P3009) or if an applied migration's
 *     `migration.sql` no longer matches its stored checksum (edited after it was applied);
 *  5. applies each pending migration (directory names sorted as Prisma sorts them), one transaction
 *     per migration: the script, its `_prisma_migrations` row and `finished_at` commit together. A
 *     script that manages its own transaction (a top-level `BEGIN;`, which Prisma emits for some enum
 *     changes) runs like the native engine runs it: one multi-statement simple query.
 *     A failure rolls the migration back and records it as failed (logs set, finished_at NULL), as
 *     Prisma does (P3018); clear it with `--rolled-back <name>` once fixed.
 *
 * Depends only on `pg` and Node built-ins (safe to import from Jest and from the app at boot).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, type DatabaseError } from 'pg';
import { assertPostgresLockfile, migrationChecksum, readMigrationsDir, scriptMatchesChecksum } from './migrations-dir';

/** The key Prisma Migrate passes to `pg_advisory_lock` on PostgreSQL. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
export const MIGRATIONS_TABLE = '_prisma_migrations';

/** Verbatim the DDL of the schema engine's `create_migrations_table` for PostgreSQL. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** Tables the engine ignores when deciding whether a schema is empty (PostGIS). */
const IGNORED_TABLES = new Set(['spatial_ref_sys']);

export interface MigrateDeployOptions {
  databaseUrl: string;
  migrationsDir: string;
  log?: (s: string) => void;
  /**
   * Schema holding the tables and `_prisma_migrations`; created if missing and put first on the
   * search_path. Default: the `schema` parameter of `databaseUrl` if any, else the connection's own
   * current schema (normally `public`). Pass the same value to `new PrismaPg(..., { schema })`.
   */
  schema?: string;
  /** How long to wait for another process holding the migration lock. Default 10 s, as Prisma. */
  lockTimeoutMs?: number;
  /** Create the database when it does not exist (as `prisma migrate deploy` does). Default true. */
  createDatabase?: boolean;
}

export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export class MigrateDeployError extends Error {
  constructor(
    message: string,
    /** The Prisma error code this corresponds to, where there is one (P3005, P3009, P3018...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'MigrateDeployError';
  }
}

export async function migrateDeploy(opts: MigrateDeployOptions): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => undefined);
  const dir = readMigrationsDir(resolve(opts.migrationsDir));
  assertPostgresLockfile(dir);

  const target = parseTarget(opts.databaseUrl, opts.schema);
  const client = await connect(target, opts.createDatabase ?? true, log);
  try {
    await takeLock(client, opts.lockTimeoutMs ?? 10_000);
    try {
      if (target.schema !== undefined) await useSchema(client, target.schema);
      await initializeMigrationsTable(client);
      const rows = await listMigrationRows(client);
      detectFailedMigrations(rows);

      const onDisk = new Map(dir.migrations.map((m) => [m.name, m]));
      const edited = rows.filter((row) => {
        const file = onDisk.get(row.migration_name);
        return (
          row.rolled_back_at === null &&
          row.finished_at !== null &&
          file !== undefined &&
          file.script !== null &&
          !scriptMatchesChecksum(file.script, row.checksum)
        );
      });
      if (edited.length > 0) {
        throw new MigrateDeployError(
          `The following migration(s) were modified after they were applied: the checksum of their migration.sql ` +
            `no longer matches _prisma_migrations.checksum.\n${edited.map((r) => `  - ${r.migration_name}`).join('\n')}\n` +
            `Restore the original migration.sql and put the change in a new migration.`,
        );
      }
      const notOnDisk = rows.filter((r) => r.rolled_back_at === null && !onDisk.has(r.migration_name));
      for (const r of notOnDisk)
        log(`warning: migration \`${r.migration_name}\` is applied in the database but missing from ${dir.baseDir}`);

      const done = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
      const pending = dir.migrations.filter((m) => !done.has(m.name));
      if (pending.length === 0) {
        log(`No pending migrations to apply (${dir.migrations.length} in ${dir.baseDir}).`);
        return { applied: [] };
      }

      const applied: string[] = [];
      for (const migration of pending) {
        if (migration.script === null) {
          throw new MigrateDeployError(
            `Failed to read migration script of \`${migration.name}\`: ${migration.readError}`,
          );
        }
        log(`Applying migration \`${migration.name}\``);
        await applyMigration(client, migration.name, migration.script);
        applied.push(migration.name);
      }
      log(`The following migration(s) have been applied:\n${applied.map((n) => `  ${n}`).join('\n')}`);
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `prisma migrate resolve --rolled-back <name>`: marks a failed migration as rolled back so that
 * deploy applies it again (fix its migration.sql first).
 */
export async function markMigrationRolledBack(opts: {
  databaseUrl: string;
  migrationName: string;
  schema?: string;
}): Promise<void> {
  const target = parseTarget(opts.databaseUrl, opts.schema);
  const client = await connect(target, false, () => undefined);
  try {
    await takeLock(client, 10_000);
    if (target.schema !== undefined) await client.query(`SET search_path TO ${quoteIdent(target.schema)}`);
    const { rowCount } = await client.query(
      `UPDATE "_prisma_migrations" SET rolled_back_at = now()
        WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
      [opts.migrationName],
    );
    if (!rowCount) {
      throw new MigrateDeployError(
        `Migration \`${opts.migrationName}\` cannot be rolled back because it is not in a failed state (P3012).`,
        'P3012',
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Target {
  url: string;
  database: string;
  schema?: string;
}

function parseTarget(databaseUrl: string, schemaOption: string | undefined): Target {
  if (!databaseUrl) throw new MigrateDeployError('databaseUrl is empty (set DATABASE_URL).');
  const url = new URL(databaseUrl);
  const schemaParam = url.searchParams.get('schema') ?? undefined;
  // `schema` is a Prisma-only parameter; pg would send it to the server as a setting. Only then is the
  // URL re-serialised; otherwise it goes to pg untouched.
  if (schemaParam !== undefined) url.searchParams.delete('schema');
  return {
    url: schemaParam !== undefined ? url.toString() : databaseUrl,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    schema: schemaOption ?? schemaParam,
  };
}

async function connect(target: Target, createDatabase: boolean, log: (s: string) => void): Promise<Client> {
  try {
    return await openClient(target.url);
  } catch (error) {
    if ((error as DatabaseError).code !== '3D000' || !createDatabase) throw error;
  }
  // 3D000 invalid_catalog_name: create it from the maintenance database, as `migrate deploy` does.
  const admin = new URL(target.url);
  admin.pathname = '/postgres';
  const adminClient = await openClient(admin.toString());
  try {
    await adminClient.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
    log(`PostgreSQL database ${target.database} created.`);
  } catch (error) {
    if ((error as DatabaseError).code !== '42P04') throw error; // created meanwhile by another process
  } finally {
    await adminClient.end().catch(() => undefined);
  }
  return openClient(target.url);
}

async function openClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'migrate-deploy' });
  client.on('error', () => undefined); // a dropped idle connection must not crash the process
  await client.connect();
  return client;
}

async function takeLock(client: Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (error) {
    if ((error as DatabaseError).code === '55P03') {
      throw new MigrateDeployError(
        `Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})). ` +
          `Timeout: ${timeoutMs}ms. Another process is migrating this database (P1002).`,
        'P1002',
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

async function useSchema(client: Client, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(`SET search_path TO ${quoteIdent(schema)}`);
}

async function initializeMigrationsTable(client: Client): Promise<void> {
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = COALESCE(current_schema(), 'public') AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  const names = rows.map((r) => r.relname);
  if (names.includes(MIGRATIONS_TABLE)) return;
  if (names.some((n) => !IGNORED_TABLES.has(n))) {
    throw new MigrateDeployError(
      'The database schema is not empty. Read more about how to baseline an existing production database: ' +
        'https://pris.ly/d/migrate-baseline (P3005)',
      'P3005',
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE);
}

async function listMigrationRows(client: Client): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM "_prisma_migrations" ORDER BY started_at ASC`,
  );
  return rows;
}

function detectFailedMigrations(rows: MigrationRow[]): void {
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length === 0) return;
  const details = failed
    .map((r) => {
      const logs = r.logs?.trim() ? ` with the following logs:\n${r.logs.trim()}` : '';
      return `The \`${r.migration_name}\` migration started at ${r.started_at.toISOString()} failed${logs}`;
    })
    .join('\n');
  throw new MigrateDeployError(
    'migrate found failed migrations in the target database, new migrations will not be applied. Read more about how ' +
      'to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n' +
      `${details}\n(P3009; once migration.sql is fixed: migrate-deploy.ts --rolled-back <name>)`,
    'P3009',
  );
}

/** A top-level `BEGIN;` / `START TRANSACTION;` line: the script manages its own transaction. */
const OWN_TRANSACTION =
  /^[ \t]*(BEGIN|START[ \t]+TRANSACTION)([ \t]+(TRANSACTION|WORK|ISOLATION[ \t]+LEVEL[^;\n]*|READ[ \t]+(ONLY|WRITE)|(NOT[ \t]+)?DEFERRABLE))*[ \t]*;/im;

async function applyMigration(client: Client, name: string, script: string): Promise<void> {
  const id = randomUUID();
  const checksum = migrationChecksum(script);
  const startedAt = new Date();
  const insertStarted = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
                         VALUES ($1, $2, $3, $4, 0)`;
  const markFinished = `UPDATE "_prisma_migrations"
                           SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
                         WHERE id = $1`;

  if (!OWN_TRANSACTION.test(script)) {
    try {
      await client.query('BEGIN');
      await client.query(insertStarted, [id, checksum, name, startedAt]);
      await client.query(script); // no parameters: simple protocol, multi-statement
      await client.query(markFinished, [id]);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const logs = describeDbError(error);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count, logs)
         VALUES ($1, $2, $3, $4, 0, $5)`,
        [id, checksum, name, startedAt, logs],
      );
      throw migrationFailed(name, logs, true);
    }
  }

  // Self-managed transaction: exactly the native engine's sequence.
  await client.query(insertStarted, [id, checksum, name, startedAt]);
  try {
    await client.query(script);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // leave any block the script opened
    const logs = describeDbError(error);
    await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, logs]);
    throw migrationFailed(name, logs, false);
  }
  await client.query(markFinished, [id]);
}

function migrationFailed(name: string, logs: string, rolledBack: boolean): MigrateDeployError {
  return new MigrateDeployError(
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more ' +
      'about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n' +
      `Migration name: ${name}\n\n${logs}\n` +
      (rolledBack
        ? 'The migration ran in a transaction and was rolled back; it is recorded as failed. Fix migration.sql, then ' +
          `run migrate-deploy.ts --rolled-back ${name} and deploy again. (P3018)`
        : 'The migration manages its own transaction, so part of it may have been applied. (P3018)'),
    'P3018',
  );
}

function describeDbError(error: unknown): string {
  const e = error as Partial<DatabaseError> & Error;
  if (!e || typeof e !== 'object' || e.code === undefined) return String(e?.message ?? error);
  const parts = [`Database error code: ${e.code}`, '', 'Database error:', `ERROR: ${e.message}`];
  if (e.detail) parts.push(`DETAIL: ${e.detail}`);
  if (e.hint) parts.push(`HINT: ${e.hint}`);
  if (e.position) parts.push(`POSITION: ${e.position}`);
  if (e.where) parts.push(`CONTEXT: ${e.where}`);
  return parts.join('\n');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// CLI: node -r @swc-node/register tools/db/src/migrate-deploy.ts [--migrations DIR] [--url URL]
//                                                               [--schema NAME] [--rolled-back NAME]
function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') out.help = 'true';
    else if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      out[key] = inline ?? argv[++i] ?? '';
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(
      'Usage: migrate-deploy.ts [--migrations prisma/migrations] [--url $DATABASE_URL] [--schema NAME]\n' +
        '       migrate-deploy.ts --rolled-back <migration_name>   (like prisma migrate resolve --rolled-back)\n',
    );
    return;
  }
  if (!process.env.DATABASE_URL && !args.url && existsSync('.env')) process.loadEnvFile('.env');
  const databaseUrl = args.url ?? process.env.DATABASE_URL ?? '';
  if (!databaseUrl) throw new MigrateDeployError('DATABASE_URL is not set (or pass --url).');
  if (args['rolled-back']) {
    await markMigrationRolledBack({ databaseUrl, migrationName: args['rolled-back'], schema: args.schema });
    process.stdout.write(`Migration ${args['rolled-back']} marked as rolled back.\n`);
    return;
  }
  const started = Date.now();
  const { applied } = await migrateDeploy({
    databaseUrl,
    migrationsDir: args.migrations ?? 'prisma/migrations',
    schema: args.schema,
    log: (s) => process.stdout.write(`${s}\n`),
  });
  process.stdout.write(`migrate-deploy: ${applied.length} applied in ${Date.now() - started} ms\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
