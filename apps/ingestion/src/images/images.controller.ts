import { Controller, Get, HttpStatus, Inject, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { IdSchema, UploadImageFieldsSchema, type ImageView, type TenantAccess } from '@dg/contracts';
import type { IngestionConfig } from '@dg/config';
import { Access, ApiError, notFound, ZodPipe, RequireScope } from '@dg/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdempotencyService, requestHash } from '../idempotency/idempotency.service';
import { CONFIG } from '../infrastructure/tokens';
import { ImageBytesService, type ImageVariant } from './image-bytes.service';
import { ImageRepository, toView } from './image.repository';
import { AnalysisRequests } from './analysis-requests';
import { IngestImageService } from './ingest-image.service';
import { readMultipart } from './multipart-upload';
import { UploadSpool } from './upload-spool';

@Controller('v1/images')
export class ImagesController {
  constructor(
    private readonly ingest: IngestImageService,
    private readonly analysis: AnalysisRequests,
    private readonly images: ImageRepository,
    private readonly bytes: ImageBytesService,
    private readonly idempotency: IdempotencyService,
    private readonly spool: UploadSpool,
    @Inject(CONFIG) private readonly config: IngestionConfig,
  ) {}

  /**
   * multipart/form-data: `caseId`, optional `modality`, `frame`, `matchPatient`, and the image as
   * `file`. 201 with a new image, 200 with the tenant's existing image for the same bytes.
   */
  @Post()
  @RequireScope('write')
  async upload(
    @Access() access: TenantAccess,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImageView> {
    const key = this.idempotency.parseKey(req.headers['idempotency-key']);
    const upload = await readMultipart(req, {
      maxBytes: this.config.MAX_UPLOAD_BYTES,
      timeoutMs: this.config.UPLOAD_TIMEOUT_MS,
      spool: this.spool,
    }).catch((error: unknown) => {
      // The rest of a body that stalled or ran over its limit is not worth reading: the answer goes
      // out and the connection closes, rather than waiting on a client that may never finish.
      if (error instanceof ApiError && [408, 413].includes(error.getStatus())) reply.header('connection', 'close');
      throw error;
    });
    try {
      const fields = new ZodPipe(UploadImageFieldsSchema, 'upload fields').transform(upload.fields);
      const file = upload.file;
      if (!file) throw new ApiError(HttpStatus.BAD_REQUEST, 'file_required', 'the "file" part is missing');
      const hash = requestHash({ ...fields, file: file.sha256 }, access.clinicId);
      const out = await this.idempotency.run(access.tenant, 'POST /v1/images', key, hash, async () => {
        const r = await this.ingest.ingest(access, fields, file);
        await this.analysis.request(access.tenant, fields.caseId, r.image, fields.analyze);
        return { status: r.status, body: r.image };
      });
      reply.status(out.status);
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return out.body;
    } finally {
      await upload.file?.dispose();
    }
  }

  @Get(':id')
  @RequireScope('read')
  async get(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'image id')) id: string,
  ): Promise<ImageView> {
    const found = await this.images.findById(access, id);
    if (!found) throw notFound('image', id);
    return toView(found);
  }

  // The bytes as received may identify the patient: a scope of their own, not implied by read.
  @Get(':id/original')
  @RequireScope('originals')
  original(@Access() access: TenantAccess, @Param('id', new ZodPipe(IdSchema, 'image id')) id: string) {
    return this.stream(access, id, 'original');
  }

  @Get(':id/normalized')
  @RequireScope('read')
  normalized(@Access() access: TenantAccess, @Param('id', new ZodPipe(IdSchema, 'image id')) id: string) {
    return this.stream(access, id, 'normalized');
  }

  @Get(':id/thumbnail')
  @RequireScope('read')
  thumbnail(@Access() access: TenantAccess, @Param('id', new ZodPipe(IdSchema, 'image id')) id: string) {
    return this.stream(access, id, 'thumbnail');
  }

  private async stream(access: TenantAccess, id: string, variant: ImageVariant): Promise<StreamableFile> {
    const { stream, contentType, size } = await this.bytes.open(access, id, variant);
    return new StreamableFile(stream, { type: contentType, length: size });
  }
}
