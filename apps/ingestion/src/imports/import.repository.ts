import { Inject, Injectable } from '@nestjs/common';
import type { ImportStatus, ImportSummary, ItemState, TenantId } from '@dg/contracts';
import { Prisma, type ArchiveImport, type ImportItem, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export type ImportRow = ArchiveImport;
export type ItemRow = ImportItem;

export interface NewImport {
  id: string;
  sourceKind: 'upload' | 's3-archive' | 's3-prefix';
  sourceUri: string;
  sourceName: string;
  format: string;
  sourceBytes: number | null;
  manifestKey: string | null;
  manifestFormat: 'csv' | 'json' | null;
  clinic: string | null;
  defaultCaseId: string | null;
  modality: string | null;
  tasks: string[];
  dryRun: boolean;
  idempotencyKey: string | null;
  requestHash: string | null;
}

export interface ScannedItem {
  index: number;
  name: string;
  sizeBytes: number | null;
  sha256: string | null;
  state: 'pending' | 'refused';
  code: string | null;
  error: string | null;
  patientExternalId: string | null;
  clinic: string | null;
  acquisitionDate: string | null;
}

export interface ItemOutcome {
  state: ItemState;
  sha256?: string;
  sizeBytes?: bigint;
  duplicateOfIndex?: number;
  imageId?: string | null;
  duplicateOf?: string | null;
  caseId?: string | null;
  code?: string | null;
  error?: string | null;
}

/** Imports and their items. Every query names the tenant, or the import id a job carries. */
@Injectable()
export class ImportRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  create(tenant: TenantId, i: NewImport): Promise<ImportRow> {
    return this.prisma.archiveImport.create({
      data: { ...i, organizationId: tenant, sourceBytes: i.sourceBytes === null ? null : BigInt(i.sourceBytes) },
    });
  }

  async find(tenant: TenantId, id: string): Promise<ImportRow | undefined> {
    return (await this.prisma.archiveImport.findFirst({ where: { id, organizationId: tenant } })) ?? undefined;
  }

  async findByIdempotencyKey(tenant: TenantId, key: string): Promise<ImportRow | undefined> {
    return (
      (await this.prisma.archiveImport.findFirst({ where: { organizationId: tenant, idempotencyKey: key } })) ??
      undefined
    );
  }

  /** Imports of every tenant that should be running (the processor re-queues them at boot). */
  unfinished(): Promise<ImportRow[]> {
    return this.prisma.archiveImport.findMany({ where: { status: { in: ['queued', 'scanning', 'running'] } } });
  }

  list(tenant: TenantId, limit: number): Promise<ImportRow[]> {
    return this.prisma.archiveImport.findMany({
      where: { organizationId: tenant },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
  }

  /**
   * Moves the import from one of `from` to `to`, atomically: false when it was in none of them (a
   * pause that lost to a completion, say). `data` is written with the move.
   */
  async transition(
    tenant: TenantId,
    id: string,
    from: readonly ImportStatus[],
    to: ImportStatus,
    data: Prisma.ArchiveImportUpdateManyMutationInput = {},
  ): Promise<boolean> {
    const r = await this.prisma.archiveImport.updateMany({
      where: { id, organizationId: tenant, status: { in: [...from] } },
      data: { ...data, status: to },
    });
    return r.count === 1;
  }

  async update(tenant: TenantId, id: string, data: Prisma.ArchiveImportUpdateManyMutationInput): Promise<void> {
    await this.prisma.archiveImport.updateMany({ where: { id, organizationId: tenant }, data });
  }

  async status(tenant: TenantId, id: string): Promise<ImportStatus | undefined> {
    const row = await this.prisma.archiveImport.findFirst({
      where: { id, organizationId: tenant },
      select: { status: true },
    });
    return row?.status as ImportStatus | undefined;
  }

  /** Resume-safe: items already recorded by an earlier scan are left as they are. */
  async insertItems(tenant: TenantId, importId: string, items: ScannedItem[]): Promise<void> {
    if (!items.length) return;
    await this.prisma.importItem.createMany({
      data: items.map((i) => ({
        ...i,
        importId,
        organizationId: tenant,
        sizeBytes: i.sizeBytes === null ? null : BigInt(i.sizeBytes),
      })),
      skipDuplicates: true,
    });
  }

  /**
   * Pending items whose bytes an earlier item of the archive has become duplicates of it (the
   * earliest one is the one imported), in one statement.
   */
  async markDuplicatesInArchive(importId: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ImportItem" d SET state = 'duplicate', "duplicateOfIndex" = p.first
      FROM (SELECT sha256, min(index) AS first FROM "ImportItem"
            WHERE "importId" = ${importId}::uuid AND sha256 IS NOT NULL AND state IN ('pending', 'duplicate')
            GROUP BY sha256) p
      WHERE d."importId" = ${importId}::uuid AND d.sha256 = p.sha256 AND d.index > p.first
        AND d.state = 'pending'`;
  }

  /** The items earlier runs ingested (an image or a final failure), by their bytes' hash. */
  async ingestedBySha(importId: string): Promise<Map<string, { index: number; imageId: string | null }>> {
    const rows = await this.prisma.importItem.findMany({
      where: { importId, sha256: { not: null }, state: { in: ['imported', 'failed'] }, duplicateOfIndex: null },
      select: { sha256: true, index: true, imageId: true },
      orderBy: { index: 'asc' },
    });
    const out = new Map<string, { index: number; imageId: string | null }>();
    for (const r of rows) if (!out.has(r.sha256!)) out.set(r.sha256!, { index: r.index, imageId: r.imageId });
    return out;
  }

  async pendingItems(importId: string): Promise<Map<number, ItemRow>> {
    const rows = await this.prisma.importItem.findMany({ where: { importId, state: 'pending' } });
    return new Map(rows.map((r) => [r.index, r]));
  }

  async finishItem(importId: string, index: number, outcome: ItemOutcome): Promise<void> {
    await this.prisma.importItem.updateMany({ where: { importId, index }, data: outcome });
  }

  async cancelPending(importId: string): Promise<void> {
    await this.prisma.importItem.updateMany({
      where: { importId, state: 'pending' },
      data: { state: 'cancelled' },
    });
  }

  async counts(importId: string): Promise<Record<ItemState, number>> {
    const rows = await this.prisma.importItem.groupBy({ by: ['state'], where: { importId }, _count: { _all: true } });
    const out = { pending: 0, imported: 0, duplicate: 0, refused: 0, failed: 0, cancelled: 0 };
    for (const r of rows) out[r.state as ItemState] = r._count._all;
    return out;
  }

  /** The scan's findings: sizes, refusals by code, duplicates inside the archive and of the tenant's images. */
  async scanFigures(tenant: TenantId, importId: string): Promise<Omit<ImportSummary, 'gpuEstimate' | 'toAnalyze'>> {
    const [totals, refused, existing] = await Promise.all([
      this.prisma.$queryRaw<{ files: bigint; bytes: bigint | null; dup: bigint }[]>`
        SELECT count(*) AS files, sum("sizeBytes") AS bytes, count(*) FILTER (WHERE state = 'duplicate') AS dup
        FROM "ImportItem" WHERE "importId" = ${importId}::uuid`,
      this.prisma.importItem.groupBy({
        by: ['code'],
        where: { importId, state: 'refused' },
        _count: { _all: true },
      }),
      this.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM "ImportItem" i
        WHERE i."importId" = ${importId}::uuid AND i.state = 'pending'
          AND EXISTS (SELECT 1 FROM "Image" m WHERE m."organizationId" = ${tenant}::uuid AND m.sha256 = i.sha256)`,
    ]);
    const refusedByCode = Object.fromEntries(refused.map((r) => [r.code ?? 'unknown', r._count._all]));
    return {
      files: Number(totals[0]?.files ?? 0),
      bytes: Number(totals[0]?.bytes ?? 0),
      refused: refused.reduce((n, r) => n + r._count._all, 0),
      duplicatesInArchive: Number(totals[0]?.dup ?? 0),
      duplicatesOfExisting: Number(existing[0]?.n ?? 0),
      refusedByCode,
    };
  }

  /** Items in index order, a page at a time (reports stream without holding the import). */
  itemsPage(importId: string, afterIndex: number, take: number): Promise<ItemRow[]> {
    return this.prisma.importItem.findMany({
      where: { importId, index: { gt: afterIndex } },
      orderBy: { index: 'asc' },
      take,
    });
  }

  /**
   * Items that went through ingestion (not those the scan settled: refused entries and in-archive
   * duplicates), the rate's numerator.
   */
  processedCount(importId: string): Promise<number> {
    return this.prisma.importItem.count({
      where: {
        importId,
        OR: [{ state: { in: ['imported', 'failed'] } }, { state: 'duplicate', duplicateOfIndex: null }],
      },
    });
  }
}
