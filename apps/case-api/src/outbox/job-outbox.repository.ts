import { Inject, Injectable } from '@nestjs/common';
import type { Lane, RunAssessmentJob, TenantId } from '@dg/contracts';
import type { Prisma, PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface OutboxJob {
  lane: Lane;
  jobId: string;
  job: RunAssessmentJob;
  priority?: number;
}

export interface PendingJob extends OutboxJob {
  id: string;
}

export interface OutboxCursor {
  createdAt: Date;
  id: string;
}

export interface StaleJob {
  id: string;
  lane: Lane;
  jobId: string;
  job: RunAssessmentJob;
  priority: number | null;
  /** The assessment's, for the reconciler's cursor. */
  createdAt: Date;
  assessmentId: string;
}

/** The job outbox table: written inside the caller's transaction, drained by the relay. */
@Injectable()
export class JobOutboxRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async insert(tx: Prisma.TransactionClient, tenant: TenantId, entry: OutboxJob): Promise<PendingJob> {
    const row = await tx.jobOutbox.create({
      data: {
        organizationId: tenant,
        queue: entry.lane,
        jobName: 'assessment.run',
        jobId: entry.jobId,
        payload: entry.job as object,
        priority: entry.priority,
      },
      select: { id: true },
    });
    return { ...entry, id: row.id };
  }

  /** A job sent right after its commit: marked so the relay's rounds leave it alone. */
  async markDispatched(id: string): Promise<void> {
    await this.prisma.jobOutbox.updateMany({
      where: { id, dispatchedAt: null },
      data: { dispatchedAt: new Date(), attempts: { increment: 1 } },
    });
  }

  /**
   * Claims up to `limit` undispatched jobs (others' claims are skipped, so relays on several
   * replicas never send the same row at once), hands them to `dispatch`, and marks those that went
   * out. A row whose dispatch fails stays pending, with its error, for the next round.
   */
  async drain(limit: number, dispatch: (job: PendingJob) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { id: string; queue: string; jobId: string; payload: unknown; priority: number | null }[]
      >`
        SELECT "id", "queue", "jobId", "payload", "priority" FROM "JobOutbox"
        WHERE "dispatchedAt" IS NULL ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      let sent = 0;
      for (const row of rows) {
        try {
          await dispatch({
            id: row.id,
            lane: row.queue as Lane,
            jobId: row.jobId,
            job: row.payload as RunAssessmentJob,
            priority: row.priority ?? undefined,
          });
          await tx.jobOutbox.update({
            where: { id: row.id },
            data: { dispatchedAt: new Date(), attempts: { increment: 1 } },
          });
          sent++;
        } catch (error) {
          await tx.jobOutbox.update({
            where: { id: row.id },
            data: { attempts: { increment: 1 }, lastError: (error as Error).message.slice(0, 500) },
          });
        }
      }
      return sent;
    });
  }

  /**
   * Dispatched jobs of assessments still queued or running whose last sign of life (queued or
   * started) is older than `before`, oldest first, after `cursor`: the reconciler checks each is
   * still somewhere in the queues.
   */
  async unfinished(before: Date, cursor: OutboxCursor | undefined, limit: number): Promise<StaleJob[]> {
    const after = cursor ?? { createdAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };
    return this.prisma.$queryRaw<StaleJob[]>`
      SELECT o."id", o."queue" AS "lane", o."jobId", o."payload" AS "job", o."priority", a."createdAt", a."id" AS "assessmentId"
      FROM "Assessment" a JOIN "JobOutbox" o ON o."jobId" = a."id"::text
      WHERE a."status" IN ('queued', 'running') AND o."dispatchedAt" IS NOT NULL
        AND COALESCE(a."startedAt", a."createdAt") < ${before}
        AND (a."createdAt", a."id") > (${after.createdAt}, ${after.id}::uuid)
      ORDER BY a."createdAt", a."id" LIMIT ${limit}`;
  }

  /**
   * Deletes dispatched rows older than `before` whose assessment is finished (or gone), a page at a
   * time; the rows of unfinished assessments stay, since the reconciler re-sends from them.
   */
  async prune(before: Date, limit = 1000): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "JobOutbox" WHERE "id" IN (
        SELECT o."id" FROM "JobOutbox" o
        WHERE o."dispatchedAt" < ${before}
          AND NOT EXISTS (
            SELECT 1 FROM "Assessment" a WHERE a."id"::text = o."jobId" AND a."status" IN ('queued', 'running'))
        LIMIT ${limit})`;
  }

  /** How many jobs wait for the relay: non-zero for long means the queue is unreachable. */
  pending(): Promise<number> {
    return this.prisma.jobOutbox.count({ where: { dispatchedAt: null } });
  }
}
