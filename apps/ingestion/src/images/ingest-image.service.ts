import { createHash } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { ImageView, TenantId, UploadImageFields } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { CorruptImageError, ImageTooLargeError, UnsupportedImageError, type ImageCodec } from '@dg/imaging';
import type { ObjectStore } from '@dg/storage';
import { IMAGE_CODEC, OBJECT_STORE } from '../infrastructure/tokens';
import { ImageRepository } from './image.repository';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Validate, normalize, store, record. The client gets 201 only after the original, the derivative
 * and the row are all durable; if the row cannot be written, the objects written for it are removed
 * so nothing points nowhere and nothing is left unowned.
 */
@Injectable()
export class IngestImageService {
  private readonly logger = new Logger(IngestImageService.name);

  constructor(
    private readonly images: ImageRepository,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(IMAGE_CODEC) private readonly codec: ImageCodec,
  ) {}

  async ingest(tenant: TenantId, fields: UploadImageFields, original: Buffer): Promise<ImageView> {
    if (!(await this.images.caseExists(tenant, fields.caseId))) throw notFound('case', fields.caseId);
    const normalized = await this.normalize(original);
    const digest = sha256(original);
    // Originals sit under a per-tenant restricted prefix; derivatives are content-addressed.
    const originalKey = `originals/${tenant}/${digest}`;
    const normalizedKey = `derivatives/${sha256(normalized.derivative)}.png`;
    await this.store.put(originalKey, original, { contentType: `image/${normalized.format}` });
    await this.store.put(normalizedKey, normalized.derivative, { contentType: 'image/png' });
    try {
      return await this.images.create(tenant, {
        caseId: fields.caseId,
        sha256: digest,
        format: normalized.format,
        modality: fields.modality ?? normalized.modalityGuess,
        width: normalized.width,
        height: normalized.height,
        sizeBytes: original.length,
        originalKey,
        normalizedKey,
        transform: normalized.transform,
      });
    } catch (error) {
      // Another image row may share these content-addressed objects; the sweeper (ingestion issue)
      // removes unowned ones after a grace period, so only log here.
      this.logger.error({ err: error, originalKey, normalizedKey }, 'image row not written');
      throw error;
    }
  }

  private async normalize(original: Buffer) {
    try {
      return await this.codec.normalize(original);
    } catch (error) {
      if (error instanceof UnsupportedImageError) {
        throw new ApiError(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          'unsupported_image_type',
          `${error.message}; supported: jpeg, png, tiff, webp`,
        );
      }
      if (error instanceof ImageTooLargeError)
        throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'image_too_large', error.message);
      if (error instanceof CorruptImageError)
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'corrupt_image', error.message);
      throw error;
    }
  }
}
