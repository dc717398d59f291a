import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import type { CaseApiConfig } from '@dg/config';
import { apiKeyPrefix } from '@dg/db';
import { createFastifyApp, presentedApiKey } from '@dg/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mountQueueDashboard } from './admin/queue-dashboard';
import { CaseApiModule } from './app.module';
import { QUEUE_CONNECTION } from './infrastructure/tokens';
import { registerDocs } from './docs/docs-routes';
import { openApiDocument, undocumented } from './docs/openapi';
import { DEFAULT_OPTIONS, type CaseApiOptions } from './options';

/**
 * Builds the app without listening, so tests and the local launcher run exactly what main runs.
 * Errors are RFC 9457 problem details; /docs serves the OpenAPI document generated from the zod
 * contracts; requests are rate limited per API key.
 */
export async function createCaseApi(
  config: CaseApiConfig,
  overrides: Partial<CaseApiOptions> = {},
): Promise<NestFastifyApplication> {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  const app = await createFastifyApp(CaseApiModule.forRoot(config, options), {
    errorFormat: 'problem',
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  const served: { method: string; url: string }[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) served.push({ method, url: r.url });
  });

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitMax,
    timeWindow: options.rateLimitWindowMs,
    // Per key: the public prefix of a well-formed key, a digest of anything else, the address without one.
    keyGenerator: (req) => {
      const key = presentedApiKey(req.headers);
      if (!key) return `ip:${req.ip}`;
      return `key:${apiKeyPrefix(key) ?? createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    },
    allowList: (req) => !req.url.startsWith('/v1/'),
    // Thrown from the limiter's hook; Nest's Fastify error handler turns it into problem+json (429).
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`rate limit of ${ctx.max} requests exceeded; retry in ${ctx.after}`), {
        statusCode: ctx.statusCode,
      }),
  });

  registerDocs(fastify, openApiDocument());
  if (config.QUEUE_DASHBOARD_TOKEN) {
    const closeDashboard = await mountQueueDashboard(app, app.get(QUEUE_CONNECTION), config.QUEUE_DASHBOARD_TOKEN);
    fastify.addHook('onClose', async () => closeDashboard());
  }

  await app.init();
  const missing = undocumented(served);
  if (missing.length) throw new Error(`routes missing from docs/routes.ts: ${missing.join(', ')}`);
  return app;
}
