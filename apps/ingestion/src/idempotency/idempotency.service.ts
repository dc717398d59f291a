import { createHash } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { TenantId } from '@dg/contracts';
import { ApiError } from '@dg/http';
import { IdempotencyRepository } from './idempotency.repository';

export interface Outcome<T> {
  status: number;
  body: T;
  /** True when this answer is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** SHA-256 over a canonical JSON of the request's meaningful parts (top-level keys sorted). */
/**
 * A request's identity for its Idempotency-Key. With `clinicId` (a clinic-restricted key) the clinic
 * is part of it, so another clinic's key reusing the key gets a 422, never the stored answer.
 */
export function requestHash(parts: Record<string, unknown>, clinicId: string | null = null): string {
  if (clinicId) parts = { ...parts, clinic: clinicId };
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * `Idempotency-Key` semantics (as in the IETF draft and Stripe): the first request with a key runs
 * and its successful answer is stored with the request's hash; a retry with the same key and the same
 * request gets that stored answer again, the same key with a different request is 422, and a retry
 * while the first is still running is 409. A failed first request frees the key.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly records: IdempotencyRepository) {}

  parseKey(header: unknown): string | undefined {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'invalid_idempotency_key',
        'Idempotency-Key must be 1-255 visible ASCII characters',
      );
    }
    return header;
  }

  async run<T>(
    tenant: TenantId,
    scope: string,
    key: string | undefined,
    hash: string,
    fn: () => Promise<{ status: number; body: T }>,
  ): Promise<Outcome<T>> {
    if (!key) return { ...(await fn()), replayed: false };
    const existing = await this.records.claim(tenant, scope, key, hash);
    if (existing) {
      if (existing.requestHash !== hash) {
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'idempotency_key_reused',
          'this Idempotency-Key was used with a different request',
        );
      }
      if (existing.statusCode === null) {
        throw new ApiError(
          HttpStatus.CONFLICT,
          'idempotency_in_progress',
          'a request with this Idempotency-Key is still running',
        );
      }
      return { status: existing.statusCode, body: existing.responseBody as T, replayed: true };
    }
    try {
      const out = await fn();
      await this.records.complete(tenant, scope, key, out.status, out.body);
      return { ...out, replayed: false };
    } catch (error) {
      await this.records.release(tenant, scope, key).catch(() => undefined);
      throw error;
    }
  }
}
