import { Inject, Injectable } from '@nestjs/common';
import type { TenantId } from '@dg/contracts';
import { isUniqueViolation, type Prisma, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; statusCode: number; response: unknown }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

/** (tenant, Idempotency-Key) -> the first answer. The primary key makes the first claim win. */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async claim(tenant: TenantId, key: string, requestHash: string): Promise<Claim> {
    try {
      await this.prisma.idempotencyRecord.create({ data: { organizationId: tenant, key, requestHash } });
      return { kind: 'new' };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.prisma.idempotencyRecord.findUnique({
      where: { organizationId_key: { organizationId: tenant, key } },
    });
    if (!row) return this.claim(tenant, key, requestHash); // released meanwhile: try again
    if (row.requestHash !== requestHash) return { kind: 'mismatch' };
    if (row.statusCode === null) return { kind: 'in-progress' };
    return { kind: 'replay', statusCode: row.statusCode, response: row.response };
  }

  async complete(tenant: TenantId, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.prisma.idempotencyRecord.update({
      where: { organizationId_key: { organizationId: tenant, key } },
      data: { statusCode, response: (response ?? null) as Prisma.InputJsonValue },
    });
  }

  /** Forgets keys used before `before` (their answers, and claims a crash left behind); how many. */
  async prune(before: Date): Promise<number> {
    return (await this.prisma.idempotencyRecord.deleteMany({ where: { createdAt: { lt: before } } })).count;
  }

  /** A failed first attempt frees the key, so the client's retry runs for real. */
  async release(tenant: TenantId, key: string): Promise<void> {
    await this.prisma.idempotencyRecord.deleteMany({ where: { organizationId: tenant, key, statusCode: null } });
  }
}
