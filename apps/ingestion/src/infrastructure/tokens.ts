export const CONFIG = Symbol('CONFIG');
export const PRISMA = Symbol('PRISMA');
/** The pg pool behind Prisma, also used for audit rows (PgAuditWriter). */
export const PG_POOL = Symbol('PG_POOL');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const IMAGE_CODEC = Symbol('IMAGE_CODEC');
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
/** Jobs that run archive imports (consumed by ingestion itself). */
export const IMPORTS_PRODUCER = Symbol('IMPORTS_PRODUCER');
/** Images an import stored, for case-api to analyze on the batch lane. */
export const INTAKE_PRODUCER = Symbol('INTAKE_PRODUCER');
export const SOURCE_STORES = Symbol('SOURCE_STORES');
