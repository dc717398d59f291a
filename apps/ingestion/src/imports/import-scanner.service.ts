import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { manifestIndex, parseManifest, type ArchiveEntry, type ManifestRow } from '@dg/archive';
import type { IngestionConfig } from '@dg/config';
import type { TenantId } from '@dg/contracts';
import { detectFormat } from '@dg/imaging';
import type { ObjectStore } from '@dg/storage';
import { CONFIG, OBJECT_STORE } from '../infrastructure/tokens';
import { refusalOf } from './entry-refusal';
import type { ImportControl } from './import-control';
import { archiveLimits, sourceEntries, type SourceLocation } from './import-source';
import { ImportMetrics } from './import-metrics';
import { ImportSummaryService } from './import-summary.service';
import { ImportRepository, type ImportRow, type ScannedItem } from './import.repository';

/** An import's first pass: one ImportItem per entry, with its refusal, manifest row and (dry run) hash. */
@Injectable()
export class ImportScanner {
  constructor(
    private readonly imports: ImportRepository,
    private readonly summaries: ImportSummaryService,
    @Inject(OBJECT_STORE) private readonly platform: ObjectStore,
    @Inject(CONFIG) private readonly config: IngestionConfig,
    private readonly metrics: ImportMetrics,
  ) {}

  /**
   * The scan. A dry run reads and hashes every entry (duplicates and sizes are what it is for); a
   * real run only lists the entries and their refusals (a zip from its index alone), hashing each
   * entry once, when it is ingested. False when it stopped for a pause or a cancel.
   */
  async scan(tenant: TenantId, imp: ImportRow, at: SourceLocation, control: ImportControl): Promise<boolean> {
    const manifest = await this.manifest(imp);
    let batch: ScannedItem[] = [];
    let total = 0;
    const flush = async () => {
      await this.imports.insertItems(tenant, imp.id, batch);
      // A dry run's refusals are predictions, not outcomes.
      if (!imp.dryRun) this.metrics.finished('refused', batch.filter((i) => i.state === 'refused').length);
      batch = [];
    };
    for await (const entry of sourceEntries(at, imp.format, archiveLimits(this.config))) {
      batch.push(await this.scanEntry(entry, imp.dryRun, manifest));
      total++;
      if (batch.length >= 500) {
        await flush();
        if (await control.stop()) return false;
      }
    }
    await flush();
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

  private async manifest(imp: ImportRow): Promise<Map<string, ManifestRow> | undefined> {
    if (!imp.manifestKey) return undefined;
    const text = (await this.platform.get(imp.manifestKey)).toString('utf8');
    return manifestIndex(parseManifest(text, imp.manifestFormat as 'csv' | 'json'));
  }
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
