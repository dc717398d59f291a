import { z } from 'zod';
import type { TenantId } from './ids';

/** One audit row as a service writes it (both APIs): who, what, the outcome and from where. */
export interface AuditRecord {
  tenant: TenantId;
  apiKeyId: string;
  actor: string;
  clinicianId: string | null;
  method: string;
  route: string;
  resourceId: string | null;
  statusCode: number;
  ip: string | null;
}

export const AuditEntrySchema = z.object({
  id: z.string(),
  apiKeyId: z.string().nullable(),
  actor: z.string(),
  clinicianId: z.string().nullable(),
  method: z.string(),
  route: z.string(),
  resourceId: z.string().nullable(),
  statusCode: z.number().int(),
  ip: z.string().nullable(),
  at: z.iso.datetime(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = z
  .object({
    apiKeyId: z.uuid().optional(),
    resourceId: z.string().max(100).optional(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
