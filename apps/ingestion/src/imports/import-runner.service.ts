import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import {
  ArchiveCorruptError,
  EntryRefusedError,
  manifestIndex,
  parseManifest,
  type ArchiveEntry,
  type ManifestRow,
} from '@dg/archive';
import type { IngestionConfig } from '@dg/config';
import type { Modality, TenantId } from '@dg/contracts';
import { ApiError } from '@dg/http';
import { detectFormat, readDicomIdentity, readHead } from '@dg/imaging';
import type { JobProducer } from '@dg/queue';
import type { ObjectStore } from '@dg/storage';
import { IngestImageService } from '../images/ingest-image.service';
import { spoolToFile, type SpooledFile } from '../images/spooled-file';
import { CONFIG, INTAKE_PRODUCER, OBJECT_STORE, SOURCE_STORES } from '../infrastructure/tokens';
import { ImportCasesRepository } from './import-cases.repository';
import { ImportControl } from './import-control';
import { archiveLimits, sourceEntries, type SourceLocation, type SourceStores } from './import-source';
import { ImportSummaryService } from './import-summary.service';
import { ImportRepository, type ImportRow, type ItemRow, type ScannedItem } from './import.repository';

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
    private readonly cases: ImportCasesRepository,
    private readonly summaries: ImportSummaryService,
    private readonly ingest: IngestImageService,
    @Inject(SOURCE_STORES) private readonly stores: SourceStores,
    @Inject(OBJECT_STORE) private readonly platform: ObjectStore,
    @Inject(INTAKE_PRODUCER) private readonly intake: Pick<JobProducer<'intake'>, 'add'>,
    @Inject(CONFIG) private readonly config: IngestionConfig,
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
        if (!(await this.scan(tenant, imp, at, control))) return this.stopped(tenant, imp, control);
        imp = (await this.imports.find(tenant, importId))!;
        if (imp.status === 'scanned') return this.cleanUp(imp);
        if (imp.status !== 'running') return this.stopped(tenant, imp, control);
      }
      if (!(await this.ingestPending(tenant, imp, at, control))) return this.stopped(tenant, imp, control);
      await this.imports.resolveDuplicates(importId);
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

  /**
   * The scan. A dry run reads and hashes every entry (duplicates and sizes are what it is for); a
   * real run only lists the entries and their refusals (a zip from its index alone), hashing each
   * entry once, when it is ingested. False when it stopped for a pause or a cancel.
   */
  private async scan(tenant: TenantId, imp: ImportRow, at: SourceLocation, control: ImportControl): Promise<boolean> {
    const manifest = await this.manifest(imp);
    let batch: ScannedItem[] = [];
    let total = 0;
    for await (const entry of sourceEntries(at, imp.format, archiveLimits(this.config))) {
      batch.push(await this.scanEntry(entry, imp.dryRun, manifest));
      total++;
      if (batch.length >= 500) {
        await this.imports.insertItems(tenant, imp.id, batch);
        batch = [];
        if (await control.stop()) return false;
      }
    }
    await this.imports.insertItems(tenant, imp.id, batch);
    if (!imp.dryRun) {
      await this.imports.transition(tenant, imp.id, ['scanning'], 'running', { totalItems: total });
      return true;
    }
    await this.imports.markDuplicatesInArchive(imp.id);
    const summary = await this.summaries.summarize(tenant, imp);
    await this.imports.transition(tenant, imp.id, ['scanning'], 'scanned', {
      summary,
      totalItems: total,
      finishedAt: new Date(),
    });
    return true;
  }

  private async scanEntry(
    entry: ArchiveEntry,
    hash: boolean,
    manifest?: Map<string, ManifestRow>,
  ): Promise<ScannedItem> {
    const row = entry.path ? manifest?.get(entry.path) : undefined;
    const item: ScannedItem = {
      index: entry.index,
      name: entry.name,
      sizeBytes: entry.declaredSize ?? null,
      sha256: null,
      state: 'pending',
      code: null,
      error: null,
      patientExternalId: row?.patientExternalId ?? null,
      clinic: row?.clinic ?? null,
      acquisitionDate: row?.acquisitionDate ?? null,
    };
    if (entry.refused) return { ...item, state: 'refused', code: entry.refused.code, error: entry.refused.reason };
    if (!hash) {
      await entry.skip();
      return item;
    }
    try {
      const { sha256, size, head } = await hashStream(entry.open!());
      // What the real run would refuse as not an image is not counted as something to analyze.
      const format = detectFormat(head);
      if (!format.supported || !(this.config.ALLOWED_FORMATS as string[]).includes(format.format)) {
        return {
          ...item,
          sha256,
          sizeBytes: size,
          state: 'refused',
          code: 'unsupported_image_type',
          error: `unsupported image type: detected ${format.format}`,
        };
      }
      return { ...item, sha256, sizeBytes: size };
    } catch (error) {
      // One entry's data is broken (bad deflate, CRC): that entry is refused; if the archive itself
      // is broken the reader says so on the next entry and the import fails.
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return { ...item, state: 'refused', ...refusal };
    } finally {
      await entry.skip();
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
    const tmp = join(this.config.UPLOAD_TMP_DIR ?? join(tmpdir(), 'dg-ingestion'), 'imports');
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
          file = await spoolToFile(bytes, tmp, this.config.IMPORT_MAX_ENTRY_BYTES);
        } catch (error) {
          await entry.skip();
          if (!(error instanceof EntryRefusedError)) throw error;
          await this.imports.finishItem(imp.id, entry.index, {
            state: 'refused',
            code: error.code,
            error: error.message,
          });
          pending.delete(entry.index);
          continue;
        }
        while (inflight.size >= this.config.IMPORT_CONCURRENCY) await Promise.race(inflight);
        // The first entry with these bytes is ingested; later ones are its duplicates (whether it
        // was ingested by this run, in flight now, or by a run before a crash).
        const first = firsts.get(file.sha256);
        const task = first
          ? first.imageId.then((imageId) =>
              this.imports.finishItem(imp.id, item.index, {
                state: 'duplicate',
                sha256: file.sha256,
                sizeBytes: BigInt(file.size),
                duplicateOfIndex: first.index,
                duplicateOf: imageId,
              }),
            )
          : this.ingestItem(tenant, imp, item, file);
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

  /** Ingests one item; the image id it got, or undefined when it failed. */
  private async ingestItem(
    tenant: TenantId,
    imp: ImportRow,
    item: ItemRow,
    file: SpooledFile,
  ): Promise<string | undefined> {
    const bytes = { sha256: file.sha256, sizeBytes: BigInt(file.size) };
    try {
      const caseId = await this.caseOf(tenant, imp, item, file);
      const r = await this.ingest.ingest(tenant, { caseId, modality: (imp.modality as Modality) ?? undefined }, file);
      // 200 means the tenant had these bytes: before this import (a duplicate), or since it started
      // (this very item, stored before a crash: in-archive duplicates were set aside by the scan).
      const ours = r.status === 201 || new Date(r.image.createdAt) >= imp.startedAt!;
      if (!ours) {
        await this.imports.finishItem(imp.id, item.index, {
          ...bytes,
          state: 'duplicate',
          duplicateOf: r.image.id,
          caseId: r.image.caseId,
        });
        return r.image.id;
      }
      await this.intake.add(
        'image.ingested',
        { tenantId: tenant, imageId: r.image.id, caseId: r.image.caseId, importId: imp.id, tasks: imp.tasks as never },
        { jobId: `${imp.id}.${r.image.id}` },
      );
      await this.imports.finishItem(imp.id, item.index, {
        ...bytes,
        state: 'imported',
        imageId: r.image.id,
        caseId: r.image.caseId,
      });
      return r.image.id;
    } catch (error) {
      // What an upload would answer with a 4xx is this item's failure; anything else (storage or
      // database down) stops the run, to be retried and resumed.
      if (!(error instanceof ApiError) || error.getStatus() >= 500) throw error;
      await this.imports.finishItem(imp.id, item.index, {
        ...bytes,
        state: 'failed',
        code: error.code,
        error: error.message,
      });
      return undefined;
    }
  }

  /** The manifest's patient, else the DICOM patient and study, else the import's case. */
  private async caseOf(tenant: TenantId, imp: ImportRow, item: ItemRow, file: SpooledFile): Promise<string> {
    const clinic = item.clinic ?? imp.clinic ?? undefined;
    if (item.patientExternalId) {
      return this.cases.caseFor(tenant, imp.id, { patientExternalId: item.patientExternalId, clinic });
    }
    const head = await readHead(file.path, 132);
    if (head.subarray(128, 132).toString('latin1') === 'DICM' && file.size <= this.config.MAX_DICOM_BYTES) {
      const id = readDicomIdentity(await readFile(file.path));
      if (id.patientId) {
        return this.cases.caseFor(tenant, imp.id, {
          patientExternalId: id.patientId,
          studyInstanceUid: id.studyInstanceUid,
          clinic,
        });
      }
    }
    if (imp.defaultCaseId) return imp.defaultCaseId;
    throw new ApiError(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'no_patient',
      'no manifest row, no DICOM PatientID, and the import names no caseId: the file has no patient',
    );
  }

  private async manifest(imp: ImportRow): Promise<Map<string, ManifestRow> | undefined> {
    if (!imp.manifestKey) return undefined;
    const text = (await this.platform.get(imp.manifestKey)).toString('utf8');
    return manifestIndex(parseManifest(text, imp.manifestFormat as 'csv' | 'json'));
  }

  private async stopped(tenant: TenantId, imp: ImportRow, control: ImportControl): Promise<void> {
    if ((await control.stop()) !== 'cancelled') return; // paused: resume picks it up
    await this.imports.cancelPending(imp.id);
    await this.imports.resolveDuplicates(imp.id);
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

function refusalOf(error: unknown): { code: string; error: string } | undefined {
  if (error instanceof EntryRefusedError) return { code: error.code, error: error.message };
  if (error instanceof ArchiveCorruptError) return { code: 'corrupt-entry', error: error.message };
  return undefined;
}

/** SHA-256 and size of a stream, and its first 1 KB (enough to tell the format). */
async function hashStream(stream: Readable): Promise<{ sha256: string; size: number; head: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (head.length < 1024) head = Buffer.concat([head, chunk as Buffer]).subarray(0, 1024);
  }
  return { sha256: hash.digest('hex'), size, head };
}
