/** Injection tokens for the adapters this app is built from. */
export const CONFIG = Symbol('CONFIG');
export const OPTIONS = Symbol('OPTIONS');
export const PRISMA = Symbol('PRISMA');
export const INFERENCE_PRODUCER = Symbol('INFERENCE_PRODUCER');
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
