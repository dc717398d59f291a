import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { Logger } from 'pino';
import type { Params } from 'nestjs-pino';

const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

/** Structured JSON logs; every request line carries its request id (taken from x-request-id when sent). */
export function httpLoggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      redact: REDACT,
      genReqId: (req: IncomingMessage) => {
        const sent = req.headers['x-request-id'];
        return typeof sent === 'string' && /^[\w.-]{1,128}$/.test(sent) ? sent : randomUUID();
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
    },
  };
}

/** A logger for code outside a request (job processors, boot), with the job id bound per job. */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: REDACT });
}
