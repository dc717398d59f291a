import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ErrorBodyFilter } from './error-filter';
import { ProblemDetailsFilter } from './problem-details';

export interface FastifyAppOptions {
  bodyLimitBytes?: number;
  /** `json` (the platform's error body) or `problem` (RFC 9457 application/problem+json). */
  errorFormat?: 'json' | 'problem';
  /** Addresses or CIDRs of the proxies in front of the app, so the audit log records the client's address. */
  trustProxy?: false | string[];
}

/**
 * A Nest app on Fastify with the platform's conventions: JSON error bodies everywhere (also for
 * Fastify's own parse errors, which happen before Nest sees the request), pino logs, shutdown hooks.
 */
export async function createFastifyApp(
  module: Type | DynamicModule,
  opts: FastifyAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: opts.trustProxy,
    // The request id every log line of a request carries: the caller's x-request-id when it is a
    // sane token (so a trace spans services), else a fresh UUID. Fastify's own header option takes
    // any value as is.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && /^[\w.-]{1,128}$/.test(sent) ? sent : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(opts.errorFormat === 'problem' ? new ProblemDetailsFilter() : new ErrorBodyFilter());
  app.enableShutdownHooks();
  return app;
}

export async function listen(app: INestApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return `http://${host}:${actual}`;
}
