import type { ImportCounts, ImportStatus, ImportSummary, ImportView, ItemState } from '@dg/contracts';
import type { ImportRow } from './import.repository';

/**
 * The import as a client sees it. The rate counts the items that went through ingestion over the
 * time the import was running (pauses left out); the ETA is the pending items at that rate.
 */
export function toImportView(
  row: ImportRow,
  states: Record<ItemState, number>,
  processed: number,
  analysis: ImportView['analysis'],
  now = new Date(),
): ImportView {
  const counts: ImportCounts = { total: row.totalItems, ...states };
  const end = row.finishedAt ?? (row.pausedAt && row.status === 'paused' ? row.pausedAt : now);
  const activeMs = row.startedAt ? end.getTime() - row.startedAt.getTime() - Number(row.pausedMs) : 0;
  const rate = activeMs > 0 && processed > 0 ? processed / (activeMs / 1000) : null;
  const running = ['queued', 'scanning', 'running'].includes(row.status);
  return {
    id: row.id,
    status: row.status as ImportStatus,
    dryRun: row.dryRun,
    source: row.sourceName,
    format: row.format,
    sourceBytes: row.sourceBytes === null ? null : Number(row.sourceBytes),
    counts,
    analysis,
    itemsPerSecond: rate === null ? null : Math.round(rate * 100) / 100,
    etaSeconds: running && rate && row.totalItems !== null ? Math.round(states.pending / rate) : null,
    summary: (row.summary as ImportSummary | null) ?? null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
