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
  /** Proxies in front of the app, so the audit log records the client's address. */
  trustProxy?: boolean;
}

/**
 * A Nest app on Fastify with the platform's conventions: JSON error bodies everywhere (also for
 * Fastify's own parse errors, which happen before Nest sees the request), pino logs, shutdown hooks.
 */
export async function createFastifyApp(
  module: Type | DynamicModule,
  opts: FastifyAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024, trustProxy: opts.trustProxy });
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
