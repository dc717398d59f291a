import { Inject, Injectable } from '@nestjs/common';
import type { ImageView, LetterboxTransform, Modality, TenantAccess, TenantId } from '@dg/contracts';
import { isUniqueViolation, type Image, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface NewImage {
  caseId: string;
  sha256: string;
  /** See dedupKey(). */
  dedupKey: string;
  format: string;
  modality: Modality;
  width: number;
  height: number;
  sizeBytes: number;
  originalKey: string | null;
  normalizedKey: string;
  thumbnailKey: string;
  frame: number | null;
  patientVerified: boolean;
  transform: LetterboxTransform;
}

export interface StoredImage extends ImageView {
  originalKey: string | null;
}

/** An image found by its deduplication key, with the patient and clinic of the case it is filed under. */
export type DuplicateImage = StoredImage & { patientId: string; clinicId: string | null };

/** A case the key may see: its organization's, and its clinic's when the key is restricted to one. */
const visibleCase = (access: TenantAccess) => ({
  organizationId: access.tenant,
  ...(access.clinicId ? { clinicId: access.clinicId } : {}),
});

/**
 * What deduplication compares: the original's SHA-256, and the frame when the client chose one (each
 * frame of a multi-frame DICOM object is an image of its own).
 */
export const dedupKey = (sha256: string, frame: number | undefined) =>
  frame === undefined ? sha256 : `${sha256}#frame=${frame}`;

/** Prisma enum names cannot hold '-', so 'intraoral-photo' is stored as intraoral_photo. */
const toDb = (m: Modality) => m.replace('-', '_') as 'intraoral_photo';
const fromDb = (m: string) => m.replace('_', '-') as Modality;

@Injectable()
export class ImageRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async caseExists(access: TenantAccess, caseId: string): Promise<boolean> {
    return (await this.prisma.case.count({ where: { id: caseId, ...visibleCase(access) } })) === 1;
  }

  /**
   * The case's patient (its id, and the external id a DICOM PatientID is matched against), or
   * undefined when the key sees no such case.
   */
  async casePatient(access: TenantAccess, caseId: string): Promise<{ id: string; externalId: string } | undefined> {
    const row = await this.prisma.case.findFirst({
      where: { id: caseId, ...visibleCase(access) },
      select: { patient: { select: { id: true, externalId: true } } },
    });
    return row?.patient;
  }

  /** Creates the row; `undefined` when the tenant already has these bytes (a concurrent twin won). */
  async create(tenant: TenantId, img: NewImage): Promise<StoredImage | undefined> {
    try {
      const row = await this.prisma.image.create({
        data: { ...img, organizationId: tenant, modality: toDb(img.modality), transform: img.transform as object },
      });
      return toStored(row);
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  async findById(access: TenantAccess, id: string): Promise<StoredImage | undefined> {
    const row = await this.prisma.image.findFirst({
      where: { id, organizationId: access.tenant, ...(access.clinicId ? { case: visibleCase(access) } : {}) },
    });
    return row ? toStored(row) : undefined;
  }

  async findDuplicate(tenant: TenantId, key: string): Promise<DuplicateImage | undefined> {
    const row = await this.prisma.image.findFirst({
      where: { dedupKey: key, organizationId: tenant },
      include: { case: { select: { patientId: true, clinicId: true } } },
    });
    return row ? { ...toStored(row), patientId: row.case.patientId, clinicId: row.case.clinicId } : undefined;
  }
}

export function toView(s: StoredImage): ImageView {
  const { originalKey: _, ...view } = s;
  return view;
}

function toStored(row: Image): StoredImage {
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
    thumbnailKey: row.thumbnailKey,
    originalKey: row.originalKey,
    originalKept: row.originalKey !== null,
    frame: row.frame,
    patientVerified: row.patientVerified,
    transform: row.transform as unknown as LetterboxTransform,
    createdAt: row.createdAt.toISOString(),
  };
}
