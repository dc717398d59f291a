import Fastify from 'fastify';
import { Pool } from 'pg';

/**
 * The baseline: plain Fastify and pg reading the same rows case-api returns for GET /v1/cases/:id
 * (case, patient, images, assessments, findings; scoped by organization), as one SQL statement with
 * JSON aggregation. No auth, audit, validation or mapping: the floor case-api's overhead is measured from.
 */
export async function startBare(databaseUrl: string, tenant: string, poolMax = 10) {
  const pool = new Pool({ connectionString: databaseUrl, max: poolMax });
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/bare/cases/:id', async (req, reply) => {
    const { rows } = await pool.query(
      `SELECT c.*, row_to_json(p) AS patient,
         (SELECT coalesce(json_agg(i ORDER BY i."createdAt"), '[]') FROM
            (SELECT id, modality, width, height, "createdAt" FROM "Image" WHERE "caseId" = c.id) i) AS images,
         (SELECT coalesce(json_agg(a ORDER BY a."createdAt"), '[]') FROM "Assessment" a WHERE a."caseId" = c.id) AS assessments,
         (SELECT coalesce(json_agg(f ORDER BY f."createdAt"), '[]') FROM "Finding" f WHERE f."caseId" = c.id) AS findings
       FROM "Case" c JOIN "Patient" p ON p.id = c."patientId"
       WHERE c.id = $1 AND c."organizationId" = $2`,
      [req.params.id, tenant],
    );
    if (!rows[0]) return reply.code(404).send({ message: 'not found' });
    return rows[0];
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: async () => (await app.close(), await pool.end()) };
}
