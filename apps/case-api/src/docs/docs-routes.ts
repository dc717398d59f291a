import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DentalGemma case-api</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui' });</script></body></html>`;

/**
 * `/docs` (Swagger UI from swagger-ui-dist), `/docs/openapi.json` (the generated document). Plain
 * Fastify routes: two known files need no static-file plugin.
 */
export function registerDocs(fastify: FastifyInstance, document: Record<string, unknown>): void {
  const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const json = JSON.stringify(document);
  fastify.get('/docs', (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  fastify.get('/docs/openapi.json', (_req, reply) => reply.type('application/json; charset=utf-8').send(json));
  for (const [file, type] of Object.entries(ASSETS)) {
    fastify.get(`/docs/${file}`, async (_req, reply) =>
      reply
        .type(type)
        .header('cache-control', 'public, max-age=86400')
        .send(await readFile(join(dir, file))),
    );
  }
}
