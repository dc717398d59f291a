import { z } from 'zod';

/** The contract as JSON Schema (draft 2020-12), computed once from the zod schema. */
export const jsonSchemaOf = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
