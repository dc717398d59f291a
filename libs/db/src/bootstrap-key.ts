import type { ApiScope, TenantId } from '@dg/contracts';
import { apiKeyPrefix, hashApiKey, issueApiKey, verifyApiKeyHash } from './api-keys';
import type { PrismaClient } from './generated/prisma/client';

/**
 * The first admin key of an organization, for `npm start` and deployments: a key given by the
 * operator (DG_BOOTSTRAP_API_KEY) is registered if new, or checked if known; without one a fresh
 * key is issued. Returns the key in clear and whether it was created now.
 */
export async function ensureBootstrapKey(
  prisma: PrismaClient,
  tenant: TenantId,
  opts: { key?: string; name?: string; scopes?: ApiScope[] } = {},
): Promise<{ key: string; created: boolean }> {
  const name = opts.name ?? 'bootstrap admin';
  const scopes = opts.scopes ?? ['admin'];
  if (!opts.key) return { key: (await issueApiKey(prisma, tenant, { name, scopes })).key, created: true };

  const prefix = apiKeyPrefix(opts.key);
  if (!prefix) throw new Error('the bootstrap key must look like dgk_<12 lowercase letters or digits>_<43 base64url>');
  const row = await prisma.apiKey.findUnique({ where: { prefix } });
  if (!row) {
    await prisma.apiKey.create({
      data: { organizationId: tenant, name, scopes, prefix, hash: await hashApiKey(opts.key) },
    });
    return { key: opts.key, created: true };
  }
  if (row.organizationId !== tenant || row.revokedAt || !(await verifyApiKeyHash(opts.key, row.hash))) {
    throw new Error(`the bootstrap key ${prefix} is revoked, belongs to another organization or does not match`);
  }
  return { key: opts.key, created: false };
}
