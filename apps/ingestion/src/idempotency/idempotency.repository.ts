import { Inject, Injectable } from '@nestjs/common';
import type { TenantId } from '@dg/contracts';
import { isUniqueViolation, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface IdempotencyEntry {
  requestHash: string;
  /** Null while the first request is still running. */
  statusCode: number | null;
  responseBody: unknown;
}

@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Claims the key; returns the existing entry instead when someone already holds it. */
  async claim(
    tenant: TenantId,
    scope: string,
    key: string,
    requestHash: string,
  ): Promise<IdempotencyEntry | undefined> {
    try {
      await this.prisma.ingestionIdempotencyRecord.create({
        data: { organizationId: tenant, scope, key, requestHash },
      });
      return undefined;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.prisma.ingestionIdempotencyRecord.findUnique({
      where: { organizationId_scope_key: { organizationId: tenant, scope, key } },
    });
    // Released between our insert and read: claim again.
    if (!row) return this.claim(tenant, scope, key, requestHash);
    return { requestHash: row.requestHash, statusCode: row.statusCode, responseBody: row.responseBody };
  }

  async complete(tenant: TenantId, scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.prisma.ingestionIdempotencyRecord.update({
      where: { organizationId_scope_key: { organizationId: tenant, scope, key } },
      data: { statusCode, responseBody: body as object, completedAt: new Date() },
    });
  }

  /** Forgets keys used before `before` (their answers, and claims a crash left behind); how many. */
  async prune(before: Date): Promise<number> {
    return (await this.prisma.ingestionIdempotencyRecord.deleteMany({ where: { createdAt: { lt: before } } })).count;
  }

  /** Frees the key after a failure so the client's retry runs the request again. */
  async release(tenant: TenantId, scope: string, key: string): Promise<void> {
    await this.prisma.ingestionIdempotencyRecord.deleteMany({
      where: { organizationId: tenant, scope, key, statusCode: null },
    });
  }
}
