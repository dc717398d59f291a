import pino, { Logger } from 'pino';
import type { Params } from 'nestjs-pino';
import { RequestMethod } from '@nestjs/common';

const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

/**
 * Structured JSON logs; every request line carries the request's id (Fastify's, set from x-request-id
 * when sent: see createFastifyApp in @dg/http).
 */
export function httpLoggerParams(service: string, level: string): Params {
  return {
    // nestjs-pino's default route ('{/*splat}') matched nothing under Nest 12 on Fastify: no request
    // was ever logged. A named wildcard matches every path.
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      base: { service },
      redact: REDACT,
      // 503 is an expected answer (a dependency away, the model still loading), as in the error
      // filters: a warning, not an error with a stack.
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503
          ? 'warn'
          : err || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
    },
  };
}

/** A logger for code outside a request (job processors, boot), with the job id bound per job. */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: REDACT });
}
