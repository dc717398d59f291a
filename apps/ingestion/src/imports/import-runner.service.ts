import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArchiveCorruptError, EntryRefusedError } from '@dg/archive';
import type { IngestionConfig } from '@dg/config';
import type { TenantId } from '@dg/contracts';
import type { ObjectStore } from '@dg/storage';
import type { SpooledFile } from '../images/spooled-file';
import { UploadSpool } from '../images/upload-spool';
import { CONFIG, OBJECT_STORE, SOURCE_STORES } from '../infrastructure/tokens';
import { refusalOf } from './entry-refusal';
import { ImportControl } from './import-control';
import { ImportItemService } from './import-item.service';
import { ImportMetrics } from './import-metrics';
import { ImportScanner } from './import-scanner.service';
import { archiveLimits, sourceEntries, type SourceLocation, type SourceStores } from './import-source';
import { ImportRepository, type ImportRow } from './import.repository';

/** The archive's structure is broken or its source is gone: retrying cannot help. */
export class ImportFailedError extends Error {
  override readonly name = 'ImportFailedError';
}

/**
 * Runs an import from wherever it stopped. First a scan: every entry checked and hashed, one row
 * per entry (so duplicates, totals and a dry run's figures are known before anything is stored).
 * Then the items still pending, in archive order, a few at a time, each through the very ingestion
 * an upload goes through; each item's outcome is written as it finishes, so a crash or a restart
 * redoes at most the items that were in flight, and those are idempotent (same bytes, same image).
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);

  constructor(
    private readonly imports: ImportRepository,
    private readonly scanner: ImportScanner,
    private readonly items: ImportItemService,
    @Inject(SOURCE_STORES) private readonly stores: SourceStores,
    @Inject(OBJECT_STORE) private readonly platform: ObjectStore,
    @Inject(CONFIG) private readonly config: IngestionConfig,
    private readonly metrics: ImportMetrics,
    private readonly spool: UploadSpool,
  ) {}

  async run(tenant: TenantId, importId: string): Promise<void> {
    let imp = await this.imports.find(tenant, importId);
    if (!imp || !['queued', 'scanning', 'running'].includes(imp.status)) return;
    const at = this.stores.locate(imp.sourceUri);
    if (!at) throw new ImportFailedError(`the source ${imp.sourceName} is not readable by imports any more`);
    const control = new ImportControl(this.imports, tenant, importId);
    try {
      if (imp.status !== 'running') {
        const moved = await this.imports.transition(tenant, importId, ['queued', 'scanning'], 'scanning', {
          startedAt: imp.startedAt ?? new Date(),
        });
        if (!moved) return; // paused or cancelled before the scan began
        imp = (await this.imports.find(tenant, importId))!;
        if (!(await this.scanner.scan(tenant, imp, at, control))) return this.stopped(tenant, imp, control);
        imp = (await this.imports.find(tenant, importId))!;
        if (imp.status === 'scanned') return this.cleanUp(imp);
        if (imp.status !== 'running') return this.stopped(tenant, imp, control);
      }
      if (!(await this.ingestPending(tenant, imp, at, control))) return this.stopped(tenant, imp, control);
      if (await this.imports.transition(tenant, importId, ['running'], 'completed', { finishedAt: new Date() })) {
        await this.cleanUp(imp);
      }
    } catch (error) {
      if (error instanceof ArchiveCorruptError) throw new ImportFailedError(error.message);
      // The whole tar.gz inflating past the ratio is refused as the bomb it is.
      if (error instanceof EntryRefusedError) throw new ImportFailedError(`${error.code}: ${error.message}`);
      throw error;
    }
  }

  /** The pending items, in archive order. False when it stopped for a pause or a cancel. */
  private async ingestPending(
    tenant: TenantId,
    imp: ImportRow,
    at: SourceLocation,
    control: ImportControl,
  ): Promise<boolean> {
    const pending = await this.imports.pendingItems(imp.id);
    const firsts = new Map<string, { index: number; imageId: Promise<string | null> }>();
    for (const [sha, done] of await this.imports.ingestedBySha(imp.id)) {
      firsts.set(sha, { index: done.index, imageId: Promise.resolve(done.imageId) });
    }
    const inflight = new Set<Promise<void>>();
    let failure: unknown;
    let stopped = false;
    if (pending.size) {
      for await (const entry of sourceEntries(at, imp.format, archiveLimits(this.config))) {
        const item = pending.get(entry.index);
        if (!item || !entry.open) {
          await entry.skip();
          continue;
        }
        if (failure !== undefined || (await control.stop())) {
          stopped = failure === undefined;
          await entry.skip();
          break;
        }
        let file: SpooledFile;
        try {
          // The pipeline takes the stream's first error; a guard may emit another as it is torn
          // down, which must not reach the process as an unhandled 'error' event.
          const bytes = entry.open().on('error', () => undefined);
          file = await this.spool.spool(bytes, this.config.IMPORT_MAX_ENTRY_BYTES, {
            folder: 'imports',
            expectedBytes: entry.declaredSize,
          });
        } catch (error) {
          await entry.skip();
          // One entry refused or broken (bad deflate, CRC): that item, not the import.
          const refusal = refusalOf(error);
          if (!refusal) throw error;
          await this.imports.finishItem(imp.id, entry.index, { state: 'refused', ...refusal });
          this.metrics.finished('refused');
          pending.delete(entry.index);
          continue;
        }
        while (inflight.size >= this.config.IMPORT_CONCURRENCY) await Promise.race(inflight);
        // The first entry with these bytes is ingested; later ones are its duplicates (whether it
        // was ingested by this run, in flight now, or by a run before a crash).
        const first = firsts.get(file.sha256);
        const task = first
          ? first.imageId.then((imageId) =>
              this.imports
                .finishItem(imp.id, item.index, {
                  state: 'duplicate',
                  sha256: file.sha256,
                  sizeBytes: BigInt(file.size),
                  duplicateOfIndex: first.index,
                  duplicateOf: imageId,
                })
                .then(() => this.metrics.finished('duplicate')),
            )
          : this.items.ingest(tenant, imp, item, file);
        if (!first)
          firsts.set(file.sha256, {
            index: item.index,
            imageId: task.then(
              (id) => id ?? null,
              () => null,
            ),
          });
        const work: Promise<void> = task
          .then(() => undefined)
          .catch((error: unknown) => void (failure ??= error))
          .finally(() => {
            inflight.delete(work);
            void file.dispose();
          });
        inflight.add(work);
        pending.delete(entry.index);
        if (!pending.size) break; // nothing further in the archive is ours to do
      }
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    return !stopped;
  }

  private async stopped(tenant: TenantId, imp: ImportRow, control: ImportControl): Promise<void> {
    if ((await control.stop()) !== 'cancelled') return; // paused: resume picks it up
    await this.imports.cancelPending(imp.id);
    await this.imports.update(tenant, imp.id, { finishedAt: new Date() });
    await this.cleanUp(imp);
  }

  /** An uploaded archive is the import's alone: gone once the import is over. */
  async cleanUp(imp: ImportRow): Promise<void> {
    if (imp.sourceKind !== 'upload') return;
    for (const key of [this.stores.locate(imp.sourceUri)?.key, imp.manifestKey]) {
      if (key) await this.platform.delete(key).catch(() => undefined);
    }
  }

  async fail(tenant: TenantId, importId: string, error: Error): Promise<void> {
    this.logger.warn({ importId, err: error.message }, 'import failed');
    await this.imports.transition(tenant, importId, ['queued', 'scanning', 'running'], 'failed', {
      error: error.message.slice(0, 2000),
      finishedAt: new Date(),
    });
  }
}
