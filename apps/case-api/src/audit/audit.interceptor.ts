import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Principal } from '@dg/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { AuditRepository } from './audit.repository';

type Req = FastifyRequest & { principal?: Principal };

/**
 * Writes one audit row per authenticated /v1 request (every read of patient data and every write),
 * after the handler and before the answer leaves, failures included: a request that cannot be
 * audited is not answered as a success.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditRepository) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Req>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    if (!req.principal) return next.handle();
    const write = (statusCode: number) => this.audit.record(this.entry(req, statusCode));
    return next.handle().pipe(
      // Nest sets the declared status (201 for POST, @HttpCode) before interceptors run.
      mergeMap((body) => from(write(reply.statusCode).then(() => body))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        return from(write(status)).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }

  private entry(req: Req, statusCode: number) {
    const p = req.principal!;
    const params = (req.params ?? {}) as Record<string, string>;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const header = req.headers['x-clinician-id'];
    return {
      tenant: p.tenant,
      apiKeyId: p.apiKeyId,
      actor: `${p.name} (${p.prefix})`,
      clinicianId:
        typeof body['clinicianId'] === 'string' ? body['clinicianId'] : typeof header === 'string' ? header : null,
      method: req.method,
      route: req.routeOptions?.url ?? req.url.split('?')[0]!,
      resourceId: params['id'] ?? params['caseId'] ?? params['clinicId'] ?? null,
      statusCode,
      ip: req.ip ?? null,
    };
  }
}
