import { z } from 'zod';

/**
 * The JSON body of every 4xx/5xx. `code` is stable for programs; `message` is for people;
 * `issues` lists the fields that failed validation.
 */
export const ErrorBodySchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** Readiness failures: the state of each dependency. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
