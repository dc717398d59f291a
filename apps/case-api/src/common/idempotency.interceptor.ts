import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'node:crypto';
import { ApiError, type Principal } from '@dg/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { IdempotencyRepository } from './idempotency.repository';
import { SHOWN_ONCE, withoutSecrets } from './shown-once';

type Req = FastifyRequest & { principal?: Principal };

/**
 * `Idempotency-Key` on POSTs: the first request's answer is stored and replayed to any retry with
 * the same key and the same body (header `idempotent-replayed: true`); the same key with another
 * body is a 422, and a retry while the first is still running a 409. Keys are per organization.
 * A secret in the answer (`@ShownOnce`) is never stored, so its retry is a 409 instead.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly records: IdempotencyRepository) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Req>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !req.principal) return next.handle();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_idempotency_key', 'Idempotency-Key: 1-255 visible ASCII');
    }
    const tenant = req.principal.tenant;
    // Keys are per organization; a clinic-restricted key's requests also carry its clinic, so another
    // clinic's key reusing the key gets a 422, never the first clinic's stored answer.
    const clinic = req.principal.clinicId ? `\nclinic:${req.principal.clinicId}` : '';
    const hash = createHash('sha256')
      .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}${clinic}`)
      .digest('hex');
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
    const secrets = (Reflect.getMetadata(SHOWN_ONCE, ctx.getHandler()) as string[] | undefined) ?? [];

    return from(this.records.claim(tenant, key, hash)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'mismatch') {
          throw new ApiError(
            HttpStatus.UNPROCESSABLE_ENTITY,
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request',
          );
        }
        if (claim.kind === 'in-progress') {
          throw new ApiError(
            HttpStatus.CONFLICT,
            'idempotency_in_progress',
            'the first request with this key is running',
          );
        }
        if (claim.kind === 'replay' && secrets.length) {
          const id = (claim.response as { id?: unknown } | null)?.id;
          throw new ApiError(
            HttpStatus.CONFLICT,
            'secret_shown_once',
            `the first request with this Idempotency-Key succeeded${typeof id === 'string' ? ` (id ${id})` : ''}; ` +
              'its secret was shown once and is not kept: revoke or rotate it if the answer was lost',
          );
        }
        if (claim.kind === 'replay') {
          void reply.status(claim.statusCode).header('idempotent-replayed', 'true');
          return of(claim.response);
        }
        return next.handle().pipe(
          mergeMap((body) =>
            from(this.records.complete(tenant, key, status, withoutSecrets(body, secrets)).then(() => body)),
          ),
          catchError((error: unknown) =>
            from(this.records.release(tenant, key)).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }
}
