import { SetMetadata } from '@nestjs/common';

export const SHOWN_ONCE = 'dg:shown-once';

/**
 * Response fields that hold a secret shown once (an API key, a webhook signing secret). The
 * idempotency layer never stores them: a retry with the same Idempotency-Key is told the first
 * request succeeded (409 `secret_shown_once`, with the resource's id) instead of being handed the
 * secret again from a plaintext copy in the database.
 */
export const ShownOnce = (...fields: string[]): MethodDecorator => SetMetadata(SHOWN_ONCE, fields);

/** The response without its shown-once fields, as the idempotency record keeps it. */
export function withoutSecrets(body: unknown, fields: readonly string[]): unknown {
  if (!fields.length || !body || typeof body !== 'object') return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !fields.includes(k)));
}
