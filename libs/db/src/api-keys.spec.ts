import { scrypt } from 'node:crypto';
import { generateApiKey, hashApiKey, PrismaApiKeyVerifier } from './api-keys';
import type { PrismaClient } from './generated/prisma/client';

// Counts scrypt runs (the ~50 ms the cache exists to avoid); still the real function.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual('node:crypto');
  return { ...actual, scrypt: jest.fn(actual.scrypt) };
});
const scryptRuns = scrypt as unknown as jest.Mock;

/** The verifier's cache on its own; api-keys.int.spec.ts covers it against PostgreSQL. */
describe('PrismaApiKeyVerifier cache', () => {
  const tenant = '7d3c3f4e-5b0a-4c1e-9a57-0d7f0a0e0c11';

  async function setup(ttlMs: number) {
    const { key, prefix } = generateApiKey();
    const row = {
      id: 'k1',
      organizationId: tenant,
      name: 'n',
      prefix,
      scopes: ['read'],
      clinicId: null,
      hash: await hashApiKey(key),
      revokedAt: null as Date | null,
    };
    const findUnique = jest.fn(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { ...row };
    });
    const verifier = new PrismaApiKeyVerifier({ apiKey: { findUnique } } as unknown as PrismaClient, ttlMs);
    return { key, row, findUnique, verifier };
  }

  beforeEach(() => scryptRuns.mockClear());

  it('lets concurrent requests with an expired key share one row read and one scrypt', async () => {
    const { key, findUnique, verifier } = await setup(0);
    scryptRuns.mockClear(); // hashApiKey in setup
    const all = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(key)));
    expect(all.every((p) => p?.apiKeyId === 'k1')).toBe(true);
    expect(findUnique).toHaveBeenCalledTimes(1);
    expect(scryptRuns).toHaveBeenCalledTimes(1);
  });

  it('re-reads the row every TTL, skips scrypt while the hash is unchanged, and refuses a revoked key', async () => {
    const { key, row, findUnique, verifier } = await setup(0);
    expect(await verifier.verify(key)).toBeDefined();
    scryptRuns.mockClear();
    expect(await verifier.verify(key)).toBeDefined();
    expect(findUnique).toHaveBeenCalledTimes(2);
    expect(scryptRuns).not.toHaveBeenCalled();

    row.revokedAt = new Date();
    expect(await verifier.verify(key)).toBeUndefined();
  });

  it('runs scrypt again when the stored hash changed, and refuses a key that does not match it', async () => {
    const { key, row, verifier } = await setup(0);
    expect(await verifier.verify(key)).toBeDefined();
    row.hash = await hashApiKey(generateApiKey().key);
    expect(await verifier.verify(key)).toBeUndefined();
  });

  it('does not remember a key that was forgotten while its row was being read', async () => {
    const { key, findUnique, verifier } = await setup(60_000);
    const pending = verifier.verify(key);
    verifier.forget('k1');
    expect(await pending).toBeDefined(); // read before the revocation
    expect(await verifier.verify(key)).toBeDefined();
    expect(findUnique).toHaveBeenCalledTimes(2); // not served from the cache
  });
});
