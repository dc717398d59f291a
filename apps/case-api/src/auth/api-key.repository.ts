import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyView, CreateApiKeyRequest, CreatedApiKey, TenantId } from '@dg/contracts';
import { issueApiKey, PrismaApiKeyVerifier, type PrismaClient } from '@dg/db';
import { API_KEY_VERIFIER } from '@dg/http';
import { PRISMA } from '../infrastructure/tokens';

type KeyRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyView['scopes'];
  clinicId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
};

@Injectable()
export class ApiKeyRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(API_KEY_VERIFIER) private readonly verifier: PrismaApiKeyVerifier,
  ) {}

  async clinicInTenant(tenant: TenantId, clinicId: string): Promise<boolean> {
    return (await this.prisma.clinic.count({ where: { id: clinicId, organizationId: tenant } })) === 1;
  }

  async create(tenant: TenantId, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const { key, row } = await issueApiKey(this.prisma, tenant, input);
    return { ...toView(row), key };
  }

  async list(tenant: TenantId): Promise<ApiKeyView[]> {
    const rows = await this.prisma.apiKey.findMany({
      where: { organizationId: tenant },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toView);
  }

  /** Revokes at once on this replica (cache dropped) and within the cache TTL elsewhere. */
  async revoke(tenant: TenantId, id: string): Promise<ApiKeyView | undefined> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, organizationId: tenant, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const row = await this.prisma.apiKey.findFirst({ where: { id, organizationId: tenant } });
    if (count || row) this.verifier.forget(id);
    return row ? toView(row) : undefined;
  }
}

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    clinicId: row.clinicId,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
