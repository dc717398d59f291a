/**
 * Prisma's codes for "the database cannot take this now": unreachable (P1001), timed out (P1002,
 * P1008), connection closed (P1017), no pooled connection in time (P2024), no transaction slot within
 * maxWait (P2028).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** What the pg driver adapter reports for the same conditions (on raw queries, as P2010's cause). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors, and PostgreSQL's shutting down / starting up / too many connections. */
const DRIVER_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/**
 * True when `error` says the database is away or saturated rather than that the request is wrong or
 * the code is: such a request is answered 503 with Retry-After (nothing was written; the client
 * retries), not 500. Duck-typed so that this lib needs neither Prisma nor pg.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
  } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || DRIVER_CODES.has(e.code))) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  // pg-pool's own time-out while waiting for a connection carries no code.
  return typeof e.message === 'string' && e.message.startsWith('timeout exceeded when trying to connect');
}
