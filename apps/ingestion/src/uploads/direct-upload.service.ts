import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { CreateUpload, TenantAccess, UploadSessionView } from '@dg/contracts';
import type { IngestionConfig } from '@dg/config';
import { ApiError, notFound } from '@dg/http';
import { PresignUnsupportedError, type ObjectStore } from '@dg/storage';
import { AnalysisRequests, checkAnalyze } from '../images/analysis-requests';
import { ImageRepository, toView } from '../images/image.repository';
import { IngestImageService, type IngestResult } from '../images/ingest-image.service';
import { SpoolLimitError } from '../images/spooled-file';
import { UploadSpool } from '../images/upload-spool';
import { CONFIG, OBJECT_STORE } from '../infrastructure/tokens';
import { objectKeys } from '../shared/object-keys';
import { UploadSession, UploadSessionRepository } from './upload-session.repository';

/**
 * Large files skip the service on the way in: the client PUTs them to a presigned URL under
 * incoming/<tenant>/, then asks for completion, which runs exactly the validation and normalization
 * of a multipart upload on the stored object (streamed to a temp file, never whole in memory).
 */
@Injectable()
export class DirectUploadService {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly images: ImageRepository,
    private readonly ingest: IngestImageService,
    private readonly analysis: AnalysisRequests,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(CONFIG) private readonly config: IngestionConfig,
    private readonly spool: UploadSpool,
  ) {}

  async create(access: TenantAccess, req: CreateUpload): Promise<UploadSessionView> {
    const tenant = access.tenant;
    if (req.sizeBytes > this.config.MAX_PRESIGNED_UPLOAD_BYTES) {
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'file_too_large',
        `file exceeds ${this.config.MAX_PRESIGNED_UPLOAD_BYTES} bytes`,
      );
    }
    if (!(await this.images.caseExists(access, req.caseId))) throw notFound('case', req.caseId);
    // With the modality given, a task that cannot take it is refused now, not after the PUT.
    if (req.modality) checkAnalyze(req.analyze, req.modality);
    const id = randomUUID();
    const objectKey = objectKeys.incoming(tenant, id);
    let uploadUrl: string;
    try {
      uploadUrl = await this.store.presignPut(objectKey, {
        expiresInSeconds: this.config.PRESIGNED_UPLOAD_TTL_SECONDS,
      });
    } catch (error) {
      if (error instanceof PresignUnsupportedError) {
        throw new ApiError(HttpStatus.NOT_IMPLEMENTED, 'presigned_uploads_unavailable', error.message);
      }
      throw error;
    }
    const session = await this.sessions.create(tenant, {
      id,
      caseId: req.caseId,
      modality: req.modality,
      frame: req.frame,
      matchPatient: req.matchPatient ?? false,
      analyze: req.analyze,
      objectKey,
      expiresAt: new Date(Date.now() + this.config.PRESIGNED_UPLOAD_TTL_SECONDS * 1000),
    });
    return this.view(session, uploadUrl);
  }

  async complete(access: TenantAccess, id: string): Promise<IngestResult> {
    const tenant = access.tenant;
    const session = await this.sessions.find(tenant, id);
    // Another clinic's upload is not found by a key restricted to one clinic.
    if (!session || (access.clinicId && !(await this.images.caseExists(access, session.caseId)))) {
      throw notFound('upload', id);
    }
    if (session.status === 'completed' && session.imageId) {
      const image = await this.images.findById(access, session.imageId);
      if (image) return { status: 200, image: toView(image) };
    }
    const head = await this.store.head(session.objectKey);
    if (!head) throw new ApiError(HttpStatus.CONFLICT, 'upload_not_received', 'nothing was PUT to the upload URL yet');
    const limit = this.config.MAX_PRESIGNED_UPLOAD_BYTES;
    let file;
    try {
      if (head.size > limit) throw new SpoolLimitError(`${head.size} bytes`);
      file = await this.spool.spool(await this.store.getStream(session.objectKey), limit, {
        expectedBytes: head.size,
      });
    } catch (error) {
      if (!(error instanceof SpoolLimitError)) throw error;
      await this.store.delete(session.objectKey);
      throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'file_too_large', `file exceeds ${limit} bytes`);
    }
    try {
      const result = await this.ingest.ingest(access, session, file);
      // Before the session is marked done: a failure here leaves it to a retry of /complete.
      await this.analysis.request(tenant, session.caseId, result.image, session.analyze);
      await this.sessions.complete(tenant, id, result.image.id);
      await this.store.delete(session.objectKey);
      return result;
    } catch (error) {
      // Refused input is not kept: the bytes go, and the client may PUT again before expiry.
      if (error instanceof ApiError && error.getStatus() < 500) await this.store.delete(session.objectKey);
      throw error;
    } finally {
      await file.dispose();
    }
  }

  private view(s: UploadSession, uploadUrl: string): UploadSessionView {
    return {
      id: s.id,
      caseId: s.caseId,
      status: s.status,
      uploadUrl,
      method: 'PUT',
      expiresAt: s.expiresAt.toISOString(),
      maxBytes: this.config.MAX_PRESIGNED_UPLOAD_BYTES,
    };
  }
}
