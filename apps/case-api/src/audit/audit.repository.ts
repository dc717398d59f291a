import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditQuery, Page, TenantId } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { decodeCursor, encodeCursor } from '@dg/http';
import { PRISMA } from '../infrastructure/tokens';

/** Reads of the audit log; rows are written by @dg/http's AuditInterceptor through PgAuditWriter. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

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
