import { ProblemDetailsSchema } from '@dg/contracts';
import { z } from 'zod';
import { ROUTES, type RouteDoc } from './routes';

const schema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function operation(r: RouteDoc) {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
  const query = r.query
    ? Object.entries(r.query.shape).map(([name, s]) => ({
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: schema(s as z.ZodType, 'input'),
      }))
    : [];
  const headers = r.ifMatch
    ? [
        {
          name: 'If-Match',
          in: 'header',
          required: true,
          schema: { type: 'string' },
          description: 'ETag read with the assessment',
        },
      ]
    : [];
  const idem =
    r.method === 'POST'
      ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
      : [];
  return {
    summary: r.summary,
    description: `Needs the \`${r.scope}\` scope.`,
    security: [{ bearer: [] }, { apiKey: [] }],
    parameters: [...params, ...query, ...headers, ...idem],
    ...(r.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } }
      : {}),
    responses: {
      [String(r.status ?? 200)]: {
        description: 'OK',
        content: { 'application/json': { schema: schema(r.response, 'output') } },
      },
      '400': problem('Invalid request'),
      '401': problem('Missing, unknown or revoked API key'),
      '403': problem('The key lacks the scope'),
      '404': problem('Not found (or another organization’s)'),
      '429': problem('Rate limited'),
      ...(r.ifMatch ? { '412': problem('Stale If-Match'), '428': problem('If-Match missing') } : {}),
    },
  };
}

/** OpenAPI 3.1 (JSON Schema 2020-12, what z.toJSONSchema emits) from the route table. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'DentalGemma case-api',
      version: '1.0.0',
      description:
        'Cases, assessments, reviews, follow-ups, webhooks, FHIR export and audit. Decision support only: ' +
        'every assessment needs a clinician’s review.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: { Problem: schema(ProblemDetailsSchema, 'output') },
    },
    paths,
  };
}

/** Fastify's `/v1/cases/:id` -> the table's `/v1/cases/{id}`. */
export const toOpenApiPath = (fastifyPath: string) => fastifyPath.replace(/:(\w+)/g, '{$1}');

/** Routes the app serves under /v1 that the table lacks (each is a boot failure). */
export function undocumented(served: { method: string; url: string }[]): string[] {
  const known = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
  return served
    .filter((s) => s.url.startsWith('/v1/') || s.url === '/v1')
    .filter((s) => s.method !== 'HEAD')
    .map((s) => `${s.method} ${toOpenApiPath(s.url)}`)
    .filter((k) => !known.has(k));
}
