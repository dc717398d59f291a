import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody, ProblemDetails } from '@dg/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { retryLater, toErrorBody } from './error-filter';

export const PROBLEM_TYPE_BASE = 'https://dentalgemma.dev/problems/';

/** RFC 9457 from the platform's error body; the old fields stay so existing clients keep working. */
export function toProblem(body: ErrorBody, instance?: string): ProblemDetails {
  return {
    type: `${PROBLEM_TYPE_BASE}${body.code}`,
    title: STATUS_CODES[body.statusCode] ?? 'Error',
    status: body.statusCode,
    detail: body.message,
    ...(instance ? { instance } : {}),
    ...body,
  };
}

/** Every error leaves as `application/problem+json` (case-api's convention). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500 && body.statusCode !== 503) this.logger.error(exception);
    retryLater(reply, body, exception, this.logger);
    void reply
      .status(body.statusCode)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(toProblem(body, req?.url?.split('?')[0]));
  }
}
