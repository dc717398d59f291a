import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ErrorBody } from '@dg/contracts';
import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from './database-unavailable';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

/**
 * Every error leaves as the same JSON body. Unknown errors are 500 with a generic message: their
 * details go to the log, never to the client (they may hold patient data or internals).
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorBodyFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    // 503 is an expected answer (readiness, a dependency away); other 5xx are bugs worth a stack.
    if (body.statusCode >= 500 && body.statusCode !== 503) this.logger.error(exception);
    retryLater(reply, body, exception, this.logger);
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response && 'code' in response) return response as ErrorBody;
    if (typeof response === 'object' && response && 'details' in response) {
      // @nestjs/terminus: keep which dependency is down, that is the point of the probe.
      const r = response as { details: Record<string, unknown>; error?: Record<string, unknown> };
      const down = Object.keys(r.error ?? {});
      return {
        statusCode: status,
        code: 'not_ready',
        message: `not ready: ${down.join(', ') || 'unknown'}`,
        details: r.details,
      };
    }
    const message =
      typeof response === 'string'
        ? response
        : String((response as { message?: unknown }).message ?? exception.message);
    return { statusCode: status, code: CODES[status] ?? `http_${status}`, message };
  }
  // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a statusCode.
  const fastify = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      statusCode: fastify.statusCode,
      code: fastifyCode(fastify.code) ?? CODES[fastify.statusCode] ?? `http_${fastify.statusCode}`,
      message: fastify.message ?? 'bad request',
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'database_unavailable',
      message:
        'the database is unavailable or saturated; retry later (with the same Idempotency-Key, a write is applied once)',
    };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'internal server error' };
}

/** Seconds a client should wait before retrying a 503 (database away or saturated). */
export const RETRY_AFTER_SECONDS = 2;

/** A database 503 says when to retry, and leaves one warning line (not a stack: nothing is broken). */
export function retryLater(reply: FastifyReply, body: ErrorBody, exception: unknown, logger: Logger): void {
  if (body.code !== 'database_unavailable') return;
  logger.warn(`database unavailable: ${String((exception as Error)?.message).split('\n')[0]}`);
  void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
}

function fastifyCode(code?: string): string | undefined {
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'malformed_json';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported_content_type';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload_too_large';
  return undefined;
}
