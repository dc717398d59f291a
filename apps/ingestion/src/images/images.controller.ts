import { Controller, Get, HttpStatus, Inject, Param, Post, Req } from '@nestjs/common';
import { IdSchema, UploadImageFieldsSchema, type ImageView, type TenantId } from '@dg/contracts';
import type { IngestionConfig } from '@dg/config';
import { ApiError, notFound, ResolveTenantPipe, TenantSlug, ZodPipe } from '@dg/http';
import type { FastifyRequest } from 'fastify';
import { CONFIG } from '../infrastructure/tokens';
import { ImageRepository } from './image.repository';
import { IngestImageService } from './ingest-image.service';
import { readMultipart } from './multipart-upload';

@Controller('v1/images')
export class ImagesController {
  constructor(
    private readonly ingest: IngestImageService,
    private readonly images: ImageRepository,
    @Inject(CONFIG) private readonly config: IngestionConfig,
  ) {}

  /** multipart/form-data: `caseId`, optional `modality`, and the image as `file`. */
  @Post()
  async upload(@TenantSlug(ResolveTenantPipe) tenant: TenantId, @Req() req: FastifyRequest): Promise<ImageView> {
    const upload = await readMultipart(req, this.config.MAX_UPLOAD_BYTES);
    const fields = new ZodPipe(UploadImageFieldsSchema, 'upload fields').transform(upload.fields);
    if (!upload.file) throw new ApiError(HttpStatus.BAD_REQUEST, 'file_required', 'the "file" part is missing');
    return this.ingest.ingest(tenant, fields, upload.file.data);
  }

  @Get(':id')
  async get(
    @TenantSlug(ResolveTenantPipe) tenant: TenantId,
    @Param('id', new ZodPipe(IdSchema, 'image id')) id: string,
  ): Promise<ImageView> {
    const found = await this.images.findById(tenant, id);
    if (!found) throw notFound('image', id);
    return found;
  }
}
