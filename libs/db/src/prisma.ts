import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export { PrismaClient, Prisma } from './generated/prisma/client';
export type {
  ArchiveImport,
  Assessment,
  Case,
  Clinic,
  Image,
  ImportItem,
  Organization,
  Patient,
} from './generated/prisma/client';
export { AssessmentStatus, CaseStatus, Modality } from './generated/prisma/enums';

/** The pg pool behind the Prisma client, for the few hot reads that bypass Prisma (see createPgPool). */
export type PgPool = Pool;

/**
 * A pg pool to share between Prisma (createPrismaClient(pool)) and hand-written SQL on a hot path.
 * Prisma 7 runs every `$queryRaw` through its query compiler and result interpreter (~0.2 ms of CPU
 * per call in tools/bench/case-api, a quarter of the request), which a plain `pool.query` skips;
 * sharing the pool keeps one set of connections per process. The owner ends it after Prisma.
 */
export function createPgPool(databaseUrl: string, poolMax = 10): PgPool {
  const pool = new Pool({ connectionString: databaseUrl, max: poolMax });
  // An idle connection that dies (database restart) is dropped by the pool and reopened on demand;
  // without a listener its 'error' event would crash the process (Prisma only listens while connected).
  pool.on('error', () => undefined);
  // A failed plain query says it came from the database, so that a refused or reset connection
  // here (a 503: retry later) is not confused with the same socket error from S3 or Redis.
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: typeof query }).query = (...args) => {
    const result = query(...args);
    return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(fromDatabase(error))) : result;
  };
  return pool;
}

/** Marks an error as raised by the database connection (see isDatabaseUnavailable in @dg/http). */
export function fromDatabase(error: unknown): unknown {
  if (error && typeof error === 'object' && !('fromDatabase' in error)) {
    Object.defineProperty(error, 'fromDatabase', { value: true });
  }
  return error;
}

/**
 * Prisma 7 with the pg driver adapter and the query compiler: no native query engine to download
 * (ENVIRONMENT.md). One client per process; its pool size follows the connection string, or it uses
 * the given pool (which `$disconnect` leaves open: its owner ends it).
 */
export function createPrismaClient(database: string | PgPool, poolMax = 10): PrismaClient {
  const adapter = new PrismaPg(typeof database === 'string' ? { connectionString: database, max: poolMax } : database);
  // Prisma's defaults (2 s to get a connection for a transaction, 5 s to finish it) turn a busy
  // moment (every pooled connection in use, a saturated CPU) into 500s; waiting longer is what a
  // client would rather have.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 30_000 } });
}

/** Prisma's code for a unique-constraint violation: the row exists already (idempotent retries). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}

/**
 * Runs `fn` while holding a PostgreSQL advisory lock on `key` (hashed to the lock's bigint), so one
 * process at a time, across every replica, does a read-then-write that a unique index cannot guard.
 * The lock lives on a connection of its own, released (with the lock) when `fn` settles.
 */
export async function withAdvisoryLock<T>(pool: PgPool, key: string, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
  } finally {
    client.release();
  }
}
