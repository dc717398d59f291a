/**
 * Prisma's codes for "the database cannot take this now": unreachable (P1001), timed out (P1002,
 * P1008), connection closed (P1017), no pooled connection in time (P2024). P2028 only when no
 * transaction could start within maxWait: its other meanings (a transaction expired, used after its
 * callback) are bugs and stay 500s.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NO_TRANSACTION_SLOT = 'Unable to start a transaction in the given time';
/** What the pg driver adapter reports for the same conditions (on raw queries, as P2010's cause). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** PostgreSQL's own: shutting down, crash recovery, starting up, too many connections. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors count only from the database's pool (createPgPool marks them): S3 and Redis raise the same. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/**
 * True when `error` says the database is away or saturated rather than that the request is wrong or
 * the code is: such a request is answered 503 with Retry-After (the client retries later), not 500. Duck-typed so that this lib needs neither Prisma nor pg.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as {
    code?: unknown;
    message?: unknown;
    fromDatabase?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
  } | null;
  if (!e || typeof e !== 'object') return false;
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string') {
    if (PRISMA_CODES.has(e.code) || SQLSTATES.has(e.code)) return true;
    if (e.code === 'P2028') return message.includes(NO_TRANSACTION_SLOT);
    if (SOCKET_CODES.has(e.code)) return e.fromDatabase === true;
  }
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  // pg-pool's own time-out while waiting for a connection carries no code.
  return message.startsWith('timeout exceeded when trying to connect');
}
