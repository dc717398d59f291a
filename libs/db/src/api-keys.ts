import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { asTenantId, type ApiScope, type TenantId } from '@dg/contracts';
import type { PrismaClient } from './generated/prisma/client';

/**
 * API keys: `dgk_<prefix>_<secret>`. The prefix is public (it finds the row, and shows in lists and
 * the audit log); the whole key is stored only as a scrypt hash, so a database leak gives no key.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const KEY_PATTERN = /^dgk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function generateApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  return { key: `dgk_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function apiKeyPrefix(presented: string): string | undefined {
  return KEY_PATTERN.exec(presented)?.[1];
}

export async function hashApiKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const hash = await scryptAsync(key, salt, keylen, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyApiKeyHash(key: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(key, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

export interface VerifiedApiKey {
  tenant: TenantId;
  apiKeyId: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  clinicId: string | null;
}

/**
 * Verifies presented keys against the database. scrypt costs ~50 ms by design, so a verified key is
 * remembered (by the SHA-256 of the key, never the key) for a short time; revoking through
 * `forget` takes effect at once here and within `cacheTtlMs` on other replicas.
 *
 * When an entry expires under load, every request then in flight with that key would miss at once
 * (tools/bench/case-api: ~200 row reads and ~200 scrypt runs, seconds of CPU, every TTL): concurrent
 * misses for one key therefore share a single lookup, and re-checking a key whose row still carries
 * the hash it was verified against skips scrypt (same key by digest, same hash: same answer). The row
 * is still read every TTL, so revocation and scope changes still apply within `cacheTtlMs`.
 */
export class PrismaApiKeyVerifier {
  private readonly cache = new Map<string, { key: VerifiedApiKey; hash: string; until: number }>();
  private readonly inflight = new Map<string, Promise<VerifiedApiKey | undefined>>();
  /** Bumped by `forget`, so a lookup that read the row before a revocation does not cache it after. */
  private generation = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cacheTtlMs = 10_000,
  ) {}

  async verify(presented: string): Promise<VerifiedApiKey | undefined> {
    const prefix = apiKeyPrefix(presented);
    if (!prefix) return undefined;
    const digest = createHash('sha256').update(presented).digest('hex');
    const hit = this.cache.get(digest);
    if (hit && hit.until > Date.now()) return hit.key;
    let pending = this.inflight.get(digest);
    if (!pending) {
      pending = this.lookup(presented, prefix, digest).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, pending);
    }
    return pending;
  }

  private async lookup(presented: string, prefix: string, digest: string): Promise<VerifiedApiKey | undefined> {
    const generation = this.generation;
    const verifiedHash = this.cache.get(digest)?.hash;
    this.cache.delete(digest);
    const row = await this.prisma.apiKey.findUnique({ where: { prefix } });
    if (!row || row.revokedAt) return undefined;
    if (row.hash !== verifiedHash && !(await verifyApiKeyHash(presented, row.hash))) return undefined;
    const key: VerifiedApiKey = {
      tenant: asTenantId(row.organizationId),
      apiKeyId: row.id,
      name: row.name,
      prefix: row.prefix,
      scopes: row.scopes,
      clinicId: row.clinicId,
    };
    if (generation !== this.generation) return key; // forgotten meanwhile: answer, but do not remember
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(digest, { key, hash: row.hash, until: Date.now() + this.cacheTtlMs });
    return key;
  }

  forget(apiKeyId: string): void {
    this.generation++;
    for (const [digest, entry] of this.cache) if (entry.key.apiKeyId === apiKeyId) this.cache.delete(digest);
  }
}

/**
 * Creates a key and returns it in clear, the only time it exists outside the caller's hands. Used
 * by case-api's key endpoint, the bootstrap CLI and the tests.
 */
export async function issueApiKey(
  prisma: PrismaClient,
  tenant: TenantId,
  input: { name: string; scopes: ApiScope[]; clinicId?: string | null },
) {
  const { key, prefix } = generateApiKey();
  const row = await prisma.apiKey.create({
    data: {
      organizationId: tenant,
      name: input.name,
      scopes: input.scopes,
      clinicId: input.clinicId ?? null,
      prefix,
      hash: await hashApiKey(key),
    },
  });
  return { key, row };
}
