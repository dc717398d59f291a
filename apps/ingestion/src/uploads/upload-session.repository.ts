import { Inject, Injectable } from '@nestjs/common';
import { AnalyzeSchema, type Analyze, type Modality, type TenantId } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface UploadSession {
  id: string;
  caseId: string;
  modality?: Modality;
  frame?: number;
  matchPatient: boolean;
  analyze?: Analyze;
  objectKey: string;
  status: 'pending' | 'completed';
  imageId: string | null;
  expiresAt: Date;
}

@Injectable()
export class UploadSessionRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async create(tenant: TenantId, s: Omit<UploadSession, 'status' | 'imageId'>): Promise<UploadSession> {
    const row = await this.prisma.uploadSession.create({
      data: {
        id: s.id,
        organizationId: tenant,
        caseId: s.caseId,
        modality: s.modality ? (s.modality.replace('-', '_') as 'intraoral_photo') : null,
        frame: s.frame ?? null,
        matchPatient: s.matchPatient,
        analyze: s.analyze ?? undefined,
        objectKey: s.objectKey,
        expiresAt: s.expiresAt,
      },
    });
    return toSession(row);
  }

  async find(tenant: TenantId, id: string): Promise<UploadSession | undefined> {
    const row = await this.prisma.uploadSession.findFirst({ where: { id, organizationId: tenant } });
    return row ? toSession(row) : undefined;
  }

  async complete(tenant: TenantId, id: string, imageId: string): Promise<void> {
    await this.prisma.uploadSession.updateMany({
      where: { id, organizationId: tenant },
      data: { status: 'completed', imageId },
    });
  }
}

type Row = Awaited<ReturnType<PrismaClient['uploadSession']['findFirst']>> & object;

function toSession(row: Row): UploadSession {
  return {
    id: row.id,
    caseId: row.caseId,
    modality: row.modality ? (row.modality.replace('_', '-') as Modality) : undefined,
    frame: row.frame ?? undefined,
    matchPatient: row.matchPatient,
    analyze: row.analyze === null ? undefined : AnalyzeSchema.parse(row.analyze),
    objectKey: row.objectKey,
    status: row.status === 'completed' ? 'completed' : 'pending',
    imageId: row.imageId,
    expiresAt: row.expiresAt,
  };
}
