import { Inject, Injectable } from '@nestjs/common';
import type { CaseDetail, Modality, TenantAccess } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { toAssessmentView, type AssessmentRow } from '../assessments/assessment.view';
import { toFindingView, type FindingRow } from '../reviews/finding.view';
import { PRISMA } from '../infrastructure/tokens';
import { toCaseView, type CaseRow } from './case.repository';

type Json = Record<string, unknown>;
type DetailRow = Omit<CaseRow, 'createdAt'> & {
  createdAt: Date;
  images: Json[];
  assessments: Json[];
  findings: Json[];
};

const ASSESSMENT_DATES = ['createdAt', 'startedAt', 'completedAt', 'updatedAt', 'signedAt'] as const;

/**
 * A case with its images, assessments and findings: the read a clinician opens most and the one the
 * benchmark measures. One SQL statement with JSON aggregation, because Prisma's relation loading
 * took one round trip per relation plus in-process joining and ran at a tenth of the bare query's
 * rate (tools/bench/case-api). Scoped by organization and, for restricted keys, clinic.
 */
@Injectable()
export class CaseDetailRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async find(access: TenantAccess, id: string): Promise<CaseDetail | undefined> {
    const rows = await this.prisma.$queryRaw<DetailRow[]>`
      SELECT c.id, c."patientId", c."clinicId", c.status::text AS status, c."chiefComplaint", c."clinicalFindings",
        c."radiographicFindings", c."medicalHistory", c."createdAt",
        json_build_object('externalId', p."externalId", 'pms', p.pms, 'age', p.age, 'sex', p.sex) AS patient,
        (SELECT coalesce(json_agg(i ORDER BY i."createdAt", i.id), '[]') FROM
          (SELECT id, modality, width, height, "createdAt" FROM "Image" WHERE "caseId" = c.id) i) AS images,
        (SELECT coalesce(json_agg(a ORDER BY a."createdAt", a.id), '[]') FROM "Assessment" a WHERE a."caseId" = c.id) AS assessments,
        (SELECT coalesce(json_agg(f ORDER BY f."createdAt", f.id), '[]') FROM "Finding" f WHERE f."caseId" = c.id) AS findings
      FROM "Case" c JOIN "Patient" p ON p.id = c."patientId"
      WHERE c.id = ${id}::uuid AND c."organizationId" = ${access.tenant}::uuid
        AND (${access.clinicId}::uuid IS NULL OR c."clinicId" = ${access.clinicId}::uuid)`;
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...toCaseView(row),
      images: row.images.map((i) => ({
        id: i['id'] as string,
        modality: i['modality'] as Modality,
        width: i['width'] as number,
        height: i['height'] as number,
        createdAt: new Date(i['createdAt'] as string).toISOString(),
      })),
      assessments: row.assessments.map((a) => toAssessmentView(withDates(a, ASSESSMENT_DATES) as AssessmentRow)),
      findings: row.findings.map((f) => toFindingView(withDates(f, ['createdAt', 'updatedAt']) as FindingRow)),
    };
  }
}

/** json_agg gives timestamps as strings; the view mappers take the Date objects Prisma would give. */
function withDates(row: Json, fields: readonly string[]): Json {
  const out = { ...row };
  for (const f of fields) if (typeof out[f] === 'string') out[f] = new Date(out[f] as string);
  return out;
}
