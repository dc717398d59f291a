import type { AuditRecord } from '@dg/contracts';
import type { PgPool } from './prisma';

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
 * Writes audit rows, group-committed: each caller still waits until its own row is committed, but
 * the rows of concurrent requests share one multi-row INSERT (one commit, one WAL flush) instead of
 * one each. The table refuses UPDATE, DELETE and TRUNCATE (trigger in the migration).
 */
export class PgAuditWriter {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(private readonly pool: PgPool) {}

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
}
