import { Inject, Injectable } from '@nestjs/common';
import type { TenantId } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface EngineSpeed {
  /** Mean engine milliseconds per assessment, by task. */
  msByTask: Map<string, number>;
  meanMs: number;
  tokensPerSecond: number;
  samples: number;
}

/**
 * What case-api made of an import's images. Assessments are case-api's table: ingestion only reads
 * them, scoped by tenant, for an import's progress and report.
 */
@Injectable()
export class ImportAnalysisRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async counts(
    tenant: TenantId,
    importId: string,
  ): Promise<Record<'queued' | 'running' | 'completed' | 'failed', number>> {
    const rows = await this.prisma.$queryRaw<{ status: string; n: bigint }[]>`
      SELECT a.status::text AS status, count(*) AS n
      FROM "ImportItem" i JOIN "Assessment" a ON a."imageId" = i."imageId"
      WHERE i."importId" = ${importId}::uuid AND i.state = 'imported'
        AND a."organizationId" = ${tenant}::uuid AND a.lane = 'batch'
      GROUP BY a.status`;
    const out = { queued: 0, running: 0, completed: 0, failed: 0 };
    for (const r of rows) out[r.status as keyof typeof out] = Number(r.n);
    return out;
  }

  async assessmentIds(tenant: TenantId, imageIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!imageIds.length) return out;
    const rows = await this.prisma.assessment.findMany({
      where: { organizationId: tenant, imageId: { in: imageIds }, lane: 'batch' },
      select: { id: true, imageId: true },
      orderBy: { createdAt: 'asc' },
    });
    for (const r of rows) out.set(r.imageId!, [...(out.get(r.imageId!) ?? []), r.id]);
    return out;
  }

  /**
   * The engine's measured speed on this platform: the last 500 completed assessments (any tenant:
   * timings only, nothing of their content). Undefined before the first one.
   */
  async engineSpeed(): Promise<EngineSpeed | undefined> {
    const rows = await this.prisma.$queryRaw<{ task: string; ms: number; tokens: bigint; n: bigint }[]>`
      SELECT task, avg("totalMs") AS ms, sum("completionTokens") AS tokens, count(*) AS n
      FROM (SELECT task, "totalMs", "completionTokens" FROM "Assessment"
            WHERE status = 'completed' AND "totalMs" > 0 ORDER BY "completedAt" DESC NULLS LAST LIMIT 500) recent
      GROUP BY task`;
    if (!rows.length) return undefined;
    const n = rows.reduce((s, r) => s + Number(r.n), 0);
    const totalMs = rows.reduce((s, r) => s + r.ms * Number(r.n), 0);
    const tokens = rows.reduce((s, r) => s + Number(r.tokens), 0);
    return {
      msByTask: new Map(rows.map((r) => [r.task, r.ms])),
      meanMs: totalMs / n,
      tokensPerSecond: totalMs > 0 ? (tokens / totalMs) * 1000 : 0,
      samples: n,
    };
  }
}
