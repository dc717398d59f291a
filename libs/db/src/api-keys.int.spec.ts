import { testEnv, uniqueName } from '@dg/testing';
import { generateApiKey, PrismaApiKeyVerifier } from './api-keys';
import { ensureBootstrapKey } from './bootstrap-key';
import { createPrismaClient } from './prisma';
import { ensureOrganization } from './organizations';

describe('API keys on PostgreSQL', () => {
  const prisma = createPrismaClient(testEnv().DATABASE_URL, 2);
  afterAll(() => prisma.$disconnect());

  it('registers an operator-given bootstrap key once, verifies it, and refuses it after revocation', async () => {
    const { tenantId } = await ensureOrganization(prisma, uniqueName('boot').toLowerCase(), 'Boot');
    const { key } = generateApiKey();
    expect(await ensureBootstrapKey(prisma, tenantId, { key })).toEqual({ key, created: true });
    expect(await ensureBootstrapKey(prisma, tenantId, { key })).toEqual({ key, created: false });

    const verifier = new PrismaApiKeyVerifier(prisma, 60_000);
    const principal = await verifier.verify(key);
    expect(principal).toMatchObject({ tenant: tenantId, scopes: ['admin'], clinicId: null });
    expect(await verifier.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();

    await prisma.apiKey.update({ where: { id: principal!.apiKeyId }, data: { revokedAt: new Date() } });
    // Cached for its TTL until forgotten (what the revoke endpoint does), then refused.
    expect(await verifier.verify(key)).toBeDefined();
    verifier.forget(principal!.apiKeyId);
    expect(await verifier.verify(key)).toBeUndefined();
    await expect(ensureBootstrapKey(prisma, tenantId, { key })).rejects.toThrow(/revoked/);
  });

  it('issues a fresh key when none is given', async () => {
    const { tenantId } = await ensureOrganization(prisma, uniqueName('boot').toLowerCase(), 'Boot');
    const { key, created } = await ensureBootstrapKey(prisma, tenantId);
    expect(created).toBe(true);
    expect(await new PrismaApiKeyVerifier(prisma).verify(key)).toMatchObject({ tenant: tenantId });
  });
});
