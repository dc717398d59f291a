import { createHash } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Analyze, ImageView, Modality, TenantAccess } from '@dg/contracts';
import type { IngestionConfig } from '@dg/config';
import { ApiError, notFound } from '@dg/http';
import {
  detectFormat,
  readHead,
  ImageRejectedError,
  ImageTooLargeError,
  UnsupportedImageError,
  type ImageCodec,
  type NormalizedImage,
} from '@dg/imaging';
import type { ObjectStore } from '@dg/storage';
import { CONFIG, IMAGE_CODEC, OBJECT_STORE } from '../infrastructure/tokens';
import { objectKeys } from '../shared/object-keys';
import { Semaphore } from '../shared/semaphore';
import { dedupKey, ImageRepository, toView, type DuplicateImage } from './image.repository';
import { checkAnalyze } from './analysis-requests';
import { openSpooled, type SpooledFile } from './spooled-file';

export interface IngestRequest {
  caseId: string;
  modality?: Modality;
  frame?: number;
  matchPatient?: boolean;
  /** Tasks the upload asks for: checked against the image's modality before anything is stored. */
  analyze?: Analyze;
}

export interface IngestResult {
  /** 201 for a new image, 200 when the tenant already had these bytes. */
  status: 200 | 201;
  image: ImageView;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Validate, normalize, store, record. The client gets 201 only after the original, the derivatives
 * and the row are all durable, and the row is written last: a failure midway can leave objects
 * without a row (the sweeper removes them after a grace period) but never a row without its objects.
 */
@Injectable()
export class IngestImageService {
  private readonly logger = new Logger(IngestImageService.name);
  private readonly gate: Semaphore;

  constructor(
    private readonly images: ImageRepository,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(IMAGE_CODEC) private readonly codec: ImageCodec,
    @Inject(CONFIG) private readonly config: IngestionConfig,
  ) {
    this.gate = new Semaphore(config.NORMALIZE_CONCURRENCY);
  }

  /** `access` may restrict the key to one clinic: the case must be that clinic's (else 404). */
  async ingest(access: TenantAccess, req: IngestRequest, file: SpooledFile): Promise<IngestResult> {
    const tenant = access.tenant;
    const key = dedupKey(file.sha256, req.frame);
    // Both reads at once: one round trip to wait for instead of two. With matchPatient the file's
    // PatientID must be checked even when the bytes are known, so it goes the whole way.
    const [patient, existing] = await Promise.all([
      this.images.casePatient(access, req.caseId),
      req.matchPatient ? undefined : this.images.findDuplicate(tenant, key),
    ]);
    if (!patient) throw notFound('case', req.caseId);
    const patientId = patient.id;
    this.checkAllowed(await readHead(file.content, 1024));
    if (existing) {
      checkAnalyze(req.analyze, existing.modality);
      return duplicateFor(access, patientId, existing);
    }

    const normalized = await this.gate.run(() => this.normalize(file.content, req));
    checkAnalyze(req.analyze, normalized.modality);
    const patientVerified = req.matchPatient ? matchPatient(patient.externalId, normalized) : false;

    const derivativeSha = sha256(normalized.derivative);
    const thumbnailSha = sha256(normalized.thumbnail);
    const keys = {
      originalKey: this.config.KEEP_ORIGINALS ? objectKeys.original(tenant, file.sha256) : null,
      normalizedKey: objectKeys.derivative(derivativeSha),
      thumbnailKey: objectKeys.thumbnail(thumbnailSha),
    };
    // The three puts are independent and run together; all must succeed before the row is
    // written, and all have settled before the answer (no write lands after a 503).
    await this.storeObjects(() =>
      settleAll([
        keys.originalKey
          ? this.store.put(keys.originalKey, openSpooled(file), {
              contentType: contentTypeOf(normalized.format),
              contentLength: file.size,
              sha256: file.sha256,
            })
          : null,
        this.store.put(keys.normalizedKey, normalized.derivative, { contentType: 'image/png', sha256: derivativeSha }),
        this.store.put(keys.thumbnailKey, normalized.thumbnail, { contentType: 'image/jpeg', sha256: thumbnailSha }),
      ]),
    );
    try {
      const created = await this.images.create(tenant, {
        caseId: req.caseId,
        sha256: file.sha256,
        dedupKey: key,
        format: normalized.format,
        modality: normalized.modality,
        width: normalized.width,
        height: normalized.height,
        sizeBytes: file.size,
        frame: normalized.dicom ? normalized.dicom.frame : null,
        patientVerified,
        transform: normalized.transform,
        ...keys,
      });
      if (created) return { status: 201, image: toView(created) };
      const twin = await this.images.findDuplicate(tenant, key);
      if (!twin) throw new Error('image row vanished after a unique violation');
      return duplicateFor(access, patientId, twin);
    } catch (error) {
      // The objects may be shared with other rows (content addressing), so they are not deleted
      // here; the sweeper removes them once no row refers to them and the grace period has passed.
      this.logger.error({ err: error, ...keys }, 'image row not written');
      throw error;
    }
  }

  /** A storage outage is the platform's problem, not the client's: 503, retry later, nothing recorded. */
  private async storeObjects(puts: () => Promise<void>): Promise<void> {
    try {
      await puts();
    } catch (error) {
      this.logger.error({ err: error }, 'object storage write failed');
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'storage_unavailable', 'object storage failed; retry later');
    }
  }

  private checkAllowed(head: Buffer): void {
    const detected = detectFormat(head);
    if (!detected.supported || !(this.config.ALLOWED_FORMATS as string[]).includes(detected.format)) {
      throw new ApiError(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'unsupported_image_type',
        `unsupported image type: detected ${detected.format}; accepted: ${this.config.ALLOWED_FORMATS.join(', ')}`,
      );
    }
  }

  private async normalize(original: Buffer | string, req: IngestRequest): Promise<NormalizedImage> {
    try {
      return await this.codec.normalize(original, {
        frame: req.frame,
        modality: req.modality,
        readPatientId: req.matchPatient === true,
      });
    } catch (error) {
      if (error instanceof UnsupportedImageError) {
        throw new ApiError(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          error.code,
          `${error.message} (detected ${error.detected})`,
        );
      }
      if (error instanceof ImageTooLargeError)
        throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, error.code, error.message);
      if (error instanceof ImageRejectedError)
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, error.code, error.message);
      throw error;
    }
  }
}

/**
 * The tenant already has these bytes. Filed for the same patient (this case or another of theirs)
 * they are the existing image, 200, and case-api assesses it under any of the patient's cases. Filed
 * for another patient, one of the two uploads names the wrong patient: 409, nothing written, rather
 * than hand back another patient's image. A key restricted to one clinic is told no ids of another
 * clinic's records, and is not handed an image filed under another clinic's case (409 too).
 */
function duplicateFor(access: TenantAccess, patientId: string, existing: DuplicateImage): IngestResult {
  const elsewhere = access.clinicId !== null && existing.clinicId !== access.clinicId;
  const where = elsewhere ? 'a case of another clinic' : `case ${existing.caseId}`;
  if (existing.patientId !== patientId) {
    throw new ApiError(
      HttpStatus.CONFLICT,
      'image_of_another_patient',
      `these bytes are already ${elsewhere ? 'an image' : `image ${existing.id}`}, filed under ${where} of another ` +
        'patient; check which patient the image belongs to',
    );
  }
  if (elsewhere) {
    throw new ApiError(
      HttpStatus.CONFLICT,
      'image_in_another_clinic',
      "these bytes are already filed under another clinic's case of this patient, which this key cannot see",
    );
  }
  const { patientId: _, clinicId: __, ...image } = existing;
  return { status: 200, image: toView(image) };
}

/**
 * PatientID (an identifying attribute, PS3.15) is compared and dropped: it is never stored, put in
 * an error message or logged, so neither the match nor a mismatch reveals it.
 */
function matchPatient(expected: string, n: NormalizedImage): boolean {
  if (n.format !== 'dicom') {
    throw new ApiError(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'patient_match_requires_dicom',
      'matchPatient needs a DICOM file',
    );
  }
  if (!n.patientId) {
    throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'dicom_patient_id_missing', 'the DICOM file has no PatientID');
  }
  if (expected !== n.patientId) {
    throw new ApiError(HttpStatus.CONFLICT, 'patient_mismatch', "the DICOM PatientID is not the case's patient");
  }
  return true;
}

async function settleAll(work: (Promise<unknown> | null)[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function contentTypeOf(format: string): string {
  return format === 'dicom' ? 'application/dicom' : `image/${format}`;
}
