import { HttpStatus, Injectable } from '@nestjs/common';
import type { ImportStatus, ImportView, TenantId } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { CreateImportService } from './create-import.service';
import { ImportAnalysisRepository } from './import-analysis.repository';
import { ImportRunner } from './import-runner.service';
import { ImportRepository, type ImportRow } from './import.repository';
import { toImportView } from './import.view';

/** Reading an import's progress, and pause, resume and cancel. */
@Injectable()
export class ImportStatusService {
  constructor(
    private readonly imports: ImportRepository,
    private readonly analysis: ImportAnalysisRepository,
    private readonly creator: CreateImportService,
    private readonly runner: ImportRunner,
  ) {}

  async view(tenant: TenantId, idOrRow: string | ImportRow): Promise<ImportView> {
    const row = typeof idOrRow === 'string' ? await this.find(tenant, idOrRow) : idOrRow;
    const [states, processed, analysis] = await Promise.all([
      this.imports.counts(row.id),
      this.imports.processedCount(row.id),
      this.analysis.counts(tenant, row.id),
    ]);
    return toImportView(row, states, processed, analysis);
  }

  async list(tenant: TenantId): Promise<ImportView[]> {
    const rows = await this.imports.list(tenant, 50);
    return Promise.all(rows.map((r) => this.view(tenant, r)));
  }

  async find(tenant: TenantId, id: string): Promise<ImportRow> {
    const row = await this.imports.find(tenant, id);
    if (!row) throw notFound('import', id);
    return row;
  }

  /** The running import stops after the items in flight; nothing is lost, resume goes on from there. */
  async pause(tenant: TenantId, id: string): Promise<ImportView> {
    await this.find(tenant, id);
    const moved = await this.imports.transition(tenant, id, ['queued', 'scanning', 'running'], 'paused', {
      pausedAt: new Date(),
    });
    if (!moved) await this.refuse(tenant, id, 'pause');
    return this.view(tenant, id);
  }

  /** Back to work where it stopped: a fresh job for the next run. */
  async resume(tenant: TenantId, id: string): Promise<ImportView> {
    const row = await this.find(tenant, id);
    if (row.status !== 'paused' && row.status !== 'failed') await this.refuse(tenant, id, 'resume');
    const pausedMs = row.pausedAt ? BigInt(Date.now() - row.pausedAt.getTime()) : 0n;
    // A scan that did not finish starts over (its rows are kept); a finished scan goes to the items.
    const next: ImportStatus = row.totalItems === null ? 'queued' : 'running';
    const moved = await this.imports.transition(tenant, id, [row.status as ImportStatus], next, {
      pausedAt: null,
      pausedMs: { increment: pausedMs },
      runs: { increment: 1 },
      error: null,
      finishedAt: null,
    });
    if (!moved) await this.refuse(tenant, id, 'resume');
    await this.creator.enqueue({ ...row, runs: row.runs + 1 });
    return this.view(tenant, id);
  }

  /**
   * Items not yet ingested are cancelled; images already stored (and their analyses) stay. A failed
   * import keeps its uploaded archive for a resume; cancelling it is how it is given up and the
   * archive (patient images) deleted.
   */
  async cancel(tenant: TenantId, id: string): Promise<ImportView> {
    const row = await this.find(tenant, id);
    const from = ['queued', 'scanning', 'running', 'paused', 'failed'] as const;
    const moved = await this.imports.transition(tenant, id, [...from], 'cancelled');
    if (!moved) await this.refuse(tenant, id, 'cancel');
    // A paused, queued or failed import has no run to notice: its pending items are settled here.
    if (row.status === 'paused' || row.status === 'queued' || row.status === 'failed') {
      await this.imports.cancelPending(id);
      await this.imports.update(tenant, id, { finishedAt: new Date() });
      await this.runner.cleanUp(row);
    }
    return this.view(tenant, id);
  }

  private async refuse(tenant: TenantId, id: string, what: string): Promise<never> {
    const status = (await this.imports.status(tenant, id)) ?? 'gone';
    throw new ApiError(HttpStatus.CONFLICT, 'import_state_conflict', `cannot ${what} an import that is ${status}`);
  }
}
