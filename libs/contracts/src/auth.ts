import { z } from 'zod';
import { IdSchema, type TenantId } from './ids';

/**
 * What an API key may do. `admin` implies the others (it manages keys, webhooks and reads the audit
 * log); `review` is the clinician's right to accept, edit, reject and sign; `originals` reads the
 * images as received, which can carry patient identity (EXIF, GPS, DICOM patient attributes) that
 * the derivatives `read` serves are stripped of.
 */
export const API_SCOPES = ['read', 'write', 'review', 'admin', 'originals'] as const;
export const ApiScopeSchema = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScopeSchema>;

export const CreateApiKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(ApiScopeSchema).min(1),
    clinicId: IdSchema.optional().describe('Restrict the key to one clinic'),
  })
  .strict();
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

export const ApiKeyViewSchema = z.object({
  id: IdSchema,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ApiScopeSchema),
  clinicId: IdSchema.nullable(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** The only answer that ever contains the key itself. */
export const CreatedApiKeySchema = ApiKeyViewSchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const CreateClinicRequestSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();
export type CreateClinicRequest = z.infer<typeof CreateClinicRequestSchema>;

export const ClinicViewSchema = z.object({ id: IdSchema, name: z.string(), createdAt: z.iso.datetime() });
export type ClinicView = z.infer<typeof ClinicViewSchema>;

/**
 * What a request may touch: its organization, and one clinic when the key is restricted to it.
 * Repositories take this (or the TenantId inside it) on every method that reads tenant data.
 */
export interface TenantAccess {
  tenant: TenantId;
  clinicId: string | null;
}
