import { z } from 'zod';

/**
 * Keyset pagination: the cursor is opaque to clients (base64url of the last row's sort key and id),
 * so pages stay stable while rows are inserted.
 */
export const PageQuerySchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
