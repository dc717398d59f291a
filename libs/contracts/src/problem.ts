import { z } from 'zod';

/**
 * RFC 9457 problem details, as case-api answers every 4xx/5xx (`application/problem+json`).
 * `statusCode`, `code` and `message` repeat status, type and detail for clients of the older body.
 */
export const ProblemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetailsSchema>;
