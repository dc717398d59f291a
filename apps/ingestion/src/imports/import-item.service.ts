import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import type { Modality, TenantId } from '@dg/contracts';
import { ApiError } from '@dg/http';
import { readDicomIdentity, readHead } from '@dg/imaging';
import type { JobProducer } from '@dg/queue';
import { IngestImageService } from '../images/ingest-image.service';
import { readSpooled, type SpooledFile } from '../images/spooled-file';
import { CONFIG, INTAKE_PRODUCER } from '../infrastructure/tokens';
import { ImportCasesRepository } from './import-cases.repository';
import { ImportMetrics } from './import-metrics';
import { ImportRepository, type ImportRow, type ItemRow } from './import.repository';

/**
 * One item of an import: filed under its case, sent through exactly the upload pipeline, its
 * outcome written, and, when it is a new image, announced to case-api for analysis.
 */
@Injectable()
export class ImportItemService {
  constructor(
    private readonly imports: ImportRepository,
    private readonly cases: ImportCasesRepository,
    private readonly images: IngestImageService,
    @Inject(INTAKE_PRODUCER) private readonly intake: Pick<JobProducer<'intake'>, 'add'>,
    @Inject(CONFIG) private readonly config: IngestionConfig,
    private readonly metrics: ImportMetrics,
  ) {}

  /** Ingests one item; the image id it got, or undefined when it failed. */
  async ingest(tenant: TenantId, imp: ImportRow, item: ItemRow, file: SpooledFile): Promise<string | undefined> {
    const bytes = { sha256: file.sha256, sizeBytes: BigInt(file.size) };
    try {
      const caseId = await this.caseOf(tenant, imp, item, file);
      // An import runs for the whole organization (only unrestricted keys start one).
      const r = await this.images.ingest(
        { tenant, clinicId: null },
        { caseId, modality: (imp.modality as Modality) ?? undefined },
        file,
      );
      // 200 means the tenant had these bytes: before this import (a duplicate), or since it started
      // (this very item, stored before a crash: later copies inside the archive never get here, the
      // runner holds them until the first copy is done and marks them its duplicates).
      const ours = r.status === 201 || new Date(r.image.createdAt) >= imp.startedAt!;
      if (!ours) {
        await this.imports.finishItem(imp.id, item.index, {
          ...bytes,
          state: 'duplicate',
          duplicateOf: r.image.id,
          caseId: r.image.caseId,
        });
        this.metrics.finished('duplicate');
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
      this.metrics.finished('imported');
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
      this.metrics.finished('failed');
      return undefined;
    }
  }

  /** The manifest's patient, else the DICOM patient and study, else the import's case. */
  private async caseOf(tenant: TenantId, imp: ImportRow, item: ItemRow, file: SpooledFile): Promise<string> {
    const clinic = item.clinic ?? imp.clinic ?? undefined;
    if (item.patientExternalId) {
      return this.cases.caseFor(tenant, imp.id, { patientExternalId: item.patientExternalId, clinic });
    }
    const head = await readHead(file.content, 132);
    if (head.subarray(128, 132).toString('latin1') === 'DICM' && file.size <= this.config.MAX_DICOM_BYTES) {
      const id = readDicomIdentity(await readSpooled(file));
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
}
