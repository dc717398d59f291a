/** Injection tokens for the adapters this app is built from. */
export const CONFIG = Symbol('CONFIG');
export const OPTIONS = Symbol('OPTIONS');
export const PRISMA = Symbol('PRISMA');
/** The pg pool Prisma runs on, for hot reads written as plain SQL (cases/case-detail.repository.ts). */
export const PG_POOL = Symbol('PG_POOL');
/** InferenceLanes: one producer per lane (interactive, batch). */
export const INFERENCE_LANES = Symbol('INFERENCE_LANES');
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
export const DEAD_LETTERS = Symbol('DEAD_LETTERS');
