import { Inject, Injectable } from '@nestjs/common';
import type { ImageView, LetterboxTransform, Modality, TenantId } from '@dg/contracts';
import type { Image, PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface NewImage {
  caseId: string;
  sha256: string;
  format: string;
  modality: Modality;
  width: number;
  height: number;
  sizeBytes: number;
  originalKey: string;
  normalizedKey: string;
  transform: LetterboxTransform;
}

/** Prisma enum names cannot hold '-', so 'intraoral-photo' is stored as intraoral_photo. */
const toDb = (m: Modality) => m.replace('-', '_') as 'intraoral_photo';
const fromDb = (m: string) => m.replace('_', '-') as Modality;

@Injectable()
export class ImageRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async caseExists(tenant: TenantId, caseId: string): Promise<boolean> {
    return (await this.prisma.case.count({ where: { id: caseId, organizationId: tenant } })) === 1;
  }

  async create(tenant: TenantId, img: NewImage): Promise<ImageView> {
    const row = await this.prisma.image.create({
      data: { ...img, organizationId: tenant, modality: toDb(img.modality), transform: img.transform as object },
    });
    return toView(row);
  }

  async findById(tenant: TenantId, id: string): Promise<ImageView | undefined> {
    const row = await this.prisma.image.findFirst({ where: { id, organizationId: tenant } });
    return row ? toView(row) : undefined;
  }
}

function toView(row: Image): ImageView {
  return {
    id: row.id,
    caseId: row.caseId,
    sha256: row.sha256,
    format: row.format,
    modality: fromDb(row.modality),
    width: row.width,
    height: row.height,
    sizeBytes: row.sizeBytes,
    normalizedKey: row.normalizedKey,
    transform: row.transform as unknown as LetterboxTransform,
    createdAt: row.createdAt.toISOString(),
  };
}
