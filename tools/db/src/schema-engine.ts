/**
 * Loads Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`, the build
 * matching the installed Prisma) and connects it to PostgreSQL through `@prisma/adapter-pg`.
 * Used by migrate-diff.ts only; nothing here is needed at runtime by the app or by migrate-deploy.ts.
 */
import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import * as wasmGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

export type { SchemaEngine };

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

let initialised = false;
let lastPanic: string | undefined;

/** Instantiates the wasm module once (the package's own entry needs --experimental-wasm-modules). */
function initWasm(): void {
  if (initialised) return;
  // The engine reports Rust panics through this global before trapping.
  (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
    set_message: (message: string) => {
      lastPanic = message;
    },
  };
  const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  // (the repo's lib setting has no DOM types, and @types/node 20 does not declare WebAssembly)
  const { Module, Instance } = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new Instance(new Module(readFileSync(wasmPath)), { './schema_engine_bg.js': wasmGlue });
  wasmGlue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  initialised = true;
}

export function engineVersion(): string {
  initWasm();
  return wasmGlue.version();
}

/**
 * @prisma/adapter-pg 7.10 has no mapping for PostgreSQL's internal one-byte type `"char"` (OID 18,
 * e.g. `pg_constraint.contype`, which the schema engine reads whenever it describes a database: shadow
 * database, drift check, apply). Unpatched, every such query fails with "Column type 'char' could not
 * be deserialized from the database"; reported as text, the engine panics ("... as char failed").
 * So: this pg Client reports OID 18 as text (so the adapter accepts it) and remembers which columns
 * were "char", and `withCharColumns` then marks them `ColumnTypeEnum.Character`, which is what the
 * engine's native driver would have produced.
 */
const charColumns = new WeakMap<object, number[]>();

class CharAwareClient extends pg.Client {
  override query(...args: unknown[]): never {
    const mark = (result: unknown): unknown => {
      for (const r of Array.isArray(result) ? result : [result]) {
        const res = r as pg.QueryResult | undefined;
        const indices: number[] = [];
        res?.fields?.forEach((field, i) => {
          if (field.dataTypeID === 18) {
            field.dataTypeID = 25;
            indices.push(i);
          }
        });
        if (indices.length > 0 && res?.rows) charColumns.set(res.rows, indices);
      }
      return result;
    };
    const callbackIndex = args.findIndex((a) => typeof a === 'function');
    if (callbackIndex >= 0) {
      const callback = args[callbackIndex] as (err: Error | null, res?: unknown) => void;
      args[callbackIndex] = (err: Error | null, res?: unknown) => callback(err, err ? res : mark(res));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const ret = (super.query as (...a: unknown[]) => unknown)(...args);
    return (ret instanceof Promise ? ret.then(mark) : ret) as never;
  }
}

interface Queryable {
  queryRaw(query: unknown): Promise<{ columnTypes: number[]; rows: unknown[] }>;
  startTransaction?: (...args: unknown[]) => Promise<Queryable>;
}

function withCharColumns<T extends object>(queryable: T): T {
  const q = queryable as unknown as Queryable;
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  if (q.startTransaction) {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (...args) => withCharColumns(await startTransaction(...args));
  }
  return queryable;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A driver-adapter factory for the engine. `serverUrl` must let us CREATE/DROP DATABASE: the engine's
 * own connection goes to a fresh scratch database (or to `mainDatabase` if given), and each shadow
 * database is another scratch database; scratch databases are dropped by `close()` (or when the
 * engine disposes them).
 */
export function scratchDatabaseFactory(serverUrl: string, mainDatabase?: string) {
  const pools = new Set<pg.Pool>();
  const scratch = new Set<string>();

  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const createScratch = async (prefix: string) => {
    const name = `${prefix}_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
    await admin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    scratch.add(name);
    return name;
  };
  const dropScratch = async (name: string) => {
    if (!scratch.delete(name)) return;
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).catch(() => undefined);
  };
  const adapterOn = async (database: string, onDispose: () => Promise<void>) => {
    const pool = new pg.Pool({ connectionString: withDatabase(serverUrl, database), Client: CharAwareClient, max: 4 });
    pool.on('error', () => undefined);
    pools.add(pool);
    const adapter = withCharColumns(await new PrismaPg(pool).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      if (pools.delete(pool)) await pool.end().catch(() => undefined);
      await onDispose();
    };
    return adapter;
  };

  const factory = {
    provider: 'postgres' as const,
    adapterName: '@prisma/adapter-pg',
    async connect() {
      if (mainDatabase !== undefined) return adapterOn(mainDatabase, async () => undefined);
      const db = await createScratch('prisma_migrate_dev');
      return adapterOn(db, () => dropScratch(db));
    },
    async connectToShadowDb() {
      const db = await createScratch('prisma_migrate_shadow_db');
      return adapterOn(db, () => dropScratch(db));
    },
  };

  return {
    factory: bindMigrationAwareSqlAdapterFactory(
      factory as unknown as Parameters<typeof bindMigrationAwareSqlAdapterFactory>[0],
    ),
    async close() {
      for (const pool of pools) await pool.end().catch(() => undefined);
      pools.clear();
      for (const name of [...scratch]) await dropScratch(name);
    },
  };
}

export async function createSchemaEngine(opts: {
  serverUrl: string;
  schemaFiles: { path: string; content: string }[];
  log?: (line: string) => void;
  /** Connect the engine's main connection to this existing database instead of a scratch one. */
  mainDatabase?: string;
}): Promise<{ engine: SchemaEngine; close: () => Promise<void> }> {
  initWasm();
  const { factory, close } = scratchDatabaseFactory(opts.serverUrl, opts.mainDatabase);
  const log = opts.log ?? (() => undefined);
  try {
    const engine = await wasmGlue.SchemaEngine.new(
      { datamodels: opts.schemaFiles.map((f) => [f.path, f.content] as [string, string]) },
      (line: string) => log(line),
      factory,
    );
    return {
      engine,
      close: async () => {
        engine.free();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw withPanic(error);
  }
}

/** Adds the Rust panic message (if the engine panicked) to an error. */
export function withPanic(error: unknown): unknown {
  if (lastPanic && error instanceof Error) error.message += `\n(engine panic: ${lastPanic})`;
  return error;
}
