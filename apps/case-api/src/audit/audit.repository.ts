import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditQuery, Page, TenantId } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { decodeCursor, encodeCursor } from '@dg/http';
import { PRISMA } from '../infrastructure/tokens';

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

type Pending = { row: AuditRecord; done: (err?: unknown) => void };

/**
 * Inserts and reads only: the table refuses UPDATE, DELETE and TRUNCATE (trigger in the migration).
 * Writes are group-committed: each caller still waits until its own row is committed, but the rows
 * of concurrent requests share one multi-row INSERT (one commit, one WAL flush) instead of one each.
 */
@Injectable()
export class AuditRepository {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  record(row: AuditRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0, 500);
      try {
        await this.prisma.auditLog.createMany({
          data: batch.map(({ row: { tenant, ...rest } }) => ({ organizationId: tenant, ...rest })),
        });
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.done(error);
      }
    }
    this.flushing = false;
  }

  async query(tenant: TenantId, q: AuditQuery): Promise<Page<AuditEntry>> {
    const cursor = decodeCursor(q.cursor);
    const at: { gte?: Date; lt?: Date } = {};
    if (q.since) at.gte = new Date(q.since);
    if (q.until) at.lt = new Date(q.until);
    const rows = await this.prisma.auditLog.findMany({
      where: {
        organizationId: tenant,
        ...(q.apiKeyId ? { apiKeyId: q.apiKeyId } : {}),
        ...(q.resourceId ? { resourceId: q.resourceId } : {}),
        ...(q.method ? { method: q.method } : {}),
        ...(q.since || q.until ? { at } : {}),
        ...(cursor ? { id: { lt: BigInt(cursor.id) } } : {}),
      },
      orderBy: { id: 'desc' },
      take: q.limit + 1,
    });
    const more = rows.length > q.limit;
    const items = (more ? rows.slice(0, q.limit) : rows).map((r) => ({
      id: r.id.toString(),
      apiKeyId: r.apiKeyId,
      actor: r.actor,
      clinicianId: r.clinicianId,
      method: r.method,
      route: r.route,
      resourceId: r.resourceId,
      statusCode: r.statusCode,
      ip: r.ip,
      at: r.at.toISOString(),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? encodeCursor({ v: last.at, id: last.id }) : null };
  }
}
