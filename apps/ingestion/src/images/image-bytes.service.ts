import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { TenantAccess } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { ObjectNotFoundError, type ObjectStore } from '@dg/storage';
import { OBJECT_STORE } from '../infrastructure/tokens';
import { ImageRepository } from './image.repository';

export type ImageVariant = 'original' | 'normalized' | 'thumbnail';

/**
 * Streams an image's bytes through the service (rather than handing out bucket URLs) so that the
 * tenant check is the same as for the metadata: another tenant's id is simply not found.
 */
@Injectable()
export class ImageBytesService {
  constructor(
    private readonly images: ImageRepository,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async open(
    access: TenantAccess,
    id: string,
    variant: ImageVariant,
  ): Promise<{ stream: Readable; contentType: string; size?: number }> {
    const image = await this.images.findById(access, id);
    if (!image) throw notFound('image', id);
    const key =
      variant === 'original' ? image.originalKey : variant === 'normalized' ? image.normalizedKey : image.thumbnailKey;
    if (!key) throw new ApiError(HttpStatus.NOT_FOUND, 'original_not_kept', 'this deployment does not keep originals');
    const contentType =
      variant === 'normalized'
        ? 'image/png'
        : variant === 'thumbnail'
          ? 'image/jpeg'
          : image.format === 'dicom'
            ? 'application/dicom'
            : `image/${image.format}`;
    try {
      const head = await this.store.head(key);
      return { stream: await this.store.getStream(key), contentType, size: head?.size };
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        throw new ApiError(HttpStatus.NOT_FOUND, 'image_bytes_missing', `${variant} bytes not found`);
      throw error;
    }
  }
}
