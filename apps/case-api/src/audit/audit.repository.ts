import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditQuery, Page, TenantId } from '@dg/contracts';
import type { PgPool, PrismaClient } from '@dg/db';
import { decodeCursor, encodeCursor } from '@dg/http';
import { PG_POOL, PRISMA } from '../infrastructure/tokens';

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
 * One statement text for any batch size: a column array per field, unnested into rows (in array
 * order, so ids follow arrival order). Sent with plain pg rather than Prisma's createMany, whose
 * query compiler plans every batch afresh, row by row: ~13% of the CPU of GET /v1/cases/:id under
 * load (tools/bench/case-api), for an INSERT that needs no ORM.
 */
const INSERT_BATCH = `INSERT INTO "AuditLog"
  ("organizationId", "apiKeyId", "actor", "clinicianId", "method", "route", "resourceId", "statusCode", "ip")
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::int[], $9::text[])`;

/**
 * Inserts and reads only: the table refuses UPDATE, DELETE and TRUNCATE (trigger in the migration).
 * Writes are group-committed: each caller still waits until its own row is committed, but the rows
 * of concurrent requests share one multi-row INSERT (one commit, one WAL flush) instead of one each.
 */
@Injectable()
export class AuditRepository {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(PG_POOL) private readonly pool: PgPool,
  ) {}

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
        const rows = batch.map((p) => p.row);
        await this.pool.query(INSERT_BATCH, [
          rows.map((r) => r.tenant),
          rows.map((r) => r.apiKeyId),
          rows.map((r) => r.actor),
          rows.map((r) => r.clinicianId),
          rows.map((r) => r.method),
          rows.map((r) => r.route),
          rows.map((r) => r.resourceId),
          rows.map((r) => r.statusCode),
          rows.map((r) => r.ip),
        ]);
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
