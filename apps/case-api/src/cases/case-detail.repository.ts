import { Inject, Injectable } from '@nestjs/common';
import type { CaseDetail, Modality, TenantAccess } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { toAssessmentView } from '../assessments/assessment.view';
import { caseScope } from '../common/access';
import { toFindingView } from '../reviews/finding.view';
import { PRISMA } from '../infrastructure/tokens';
import { toCaseView } from './case.repository';

/**
 * A case with its images, assessments and findings in one query (Prisma's relation loads), the
 * read a clinician opens most and the one the benchmark measures.
 */
@Injectable()
export class CaseDetailRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async find(access: TenantAccess, id: string): Promise<CaseDetail | undefined> {
    const row = await this.prisma.case.findFirst({
      where: { id, ...caseScope(access) },
      include: {
        patient: { select: { externalId: true, pms: true, age: true, sex: true } },
        images: {
          select: { id: true, modality: true, width: true, height: true, createdAt: true },
          orderBy: { createdAt: 'asc' },
        },
        assessments: { orderBy: { createdAt: 'asc' } },
        findings: { orderBy: { createdAt: 'asc' } },
      },
    });
    if (!row) return undefined;
    return {
      ...toCaseView(row),
      images: row.images.map((i) => ({
        id: i.id,
        modality: i.modality.replace('_', '-') as Modality,
        width: i.width,
        height: i.height,
        createdAt: i.createdAt.toISOString(),
      })),
      assessments: row.assessments.map(toAssessmentView),
      findings: row.findings.map(toFindingView),
    };
  }
}
