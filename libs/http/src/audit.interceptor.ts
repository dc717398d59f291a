import { CallHandler, ExecutionContext, HttpException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { AuditRecord } from '@dg/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import type { Principal } from './api-key-auth';

/** Where audit rows go (PgAuditWriter in @dg/db): the port the interceptor writes through. */
export interface AuditSink {
  record(row: AuditRecord): Promise<void>;
}
export const AUDIT_SINK = Symbol('AUDIT_SINK');

type Req = FastifyRequest & { principal?: Principal };

/**
 * Writes one audit row per authenticated /v1 request (every read of patient data and every write),
 * after the handler and before the answer leaves, failures included: a request that cannot be
 * audited is not answered as a success. Both APIs install it (APP_INTERCEPTOR).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(@Inject(AUDIT_SINK) private readonly audit: AuditSink) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Req>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    if (!req.principal) return next.handle();
    const write = (statusCode: number, answer?: unknown) => this.audit.record(auditEntry(req, statusCode, answer));
    return next.handle().pipe(
      // Nest sets the declared status (201 for POST, @HttpCode) before interceptors run.
      mergeMap((body) => from(write(reply.statusCode, body).then(() => body))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        return from(write(status)).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}

/** The row; a request that names no resource in its path (a create) is filed under the one it answered with. */
function auditEntry(req: Req, statusCode: number, answer?: unknown): AuditRecord {
  const p = req.principal!;
  const params = (req.params ?? {}) as Record<string, string>;
  // A multipart upload's body is a stream, not an object: only JSON bodies name a clinician.
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const header = req.headers['x-clinician-id'];
  const answered = (answer as { id?: unknown } | null | undefined)?.id;
  return {
    tenant: p.tenant,
    apiKeyId: p.apiKeyId,
    actor: `${p.name} (${p.prefix})`,
    clinicianId:
      typeof body['clinicianId'] === 'string' ? body['clinicianId'] : typeof header === 'string' ? header : null,
    method: req.method,
    route: req.routeOptions?.url ?? req.url.split('?')[0]!,
    resourceId:
      params['id'] ?? params['caseId'] ?? params['clinicId'] ?? (typeof answered === 'string' ? answered : null),
    statusCode,
    ip: req.ip ?? null,
  };
}
