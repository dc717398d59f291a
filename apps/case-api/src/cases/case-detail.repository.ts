import { Inject, Injectable } from '@nestjs/common';
import type { CaseDetail, Modality, TenantAccess } from '@dg/contracts';
import type { PgPool } from '@dg/db';
import { toAssessmentView, type AssessmentRow } from '../assessments/assessment.view';
import { toFindingView, type FindingRow } from '../reviews/finding.view';
import { CASE_BY_ID_SQL, caseByIdParams } from '../common/access';
import { PG_POOL } from '../infrastructure/tokens';
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
 * Sent with plain pg on the pool Prisma uses, not `$queryRaw`: Prisma 7 compiles and interprets
 * every raw query (wasm query compiler, result re-serialization), which cost about a quarter of
 * this request's CPU; pg gives the same values (uuid/text as strings, timestamptz as Date, json parsed).
 */
@Injectable()
export class CaseDetailRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {}

  async find(access: TenantAccess, id: string): Promise<CaseDetail | undefined> {
    const { rows } = await this.pool.query<DetailRow>(
      `SELECT c.id, c."patientId", c."clinicId", c.status::text AS status, c."chiefComplaint", c."clinicalFindings",
        c."radiographicFindings", c."medicalHistory", c."createdAt",
        json_build_object('externalId', p."externalId", 'pms', p.pms, 'age', p.age, 'sex', p.sex) AS patient,
        (SELECT coalesce(json_agg(i ORDER BY i."createdAt", i.id), '[]') FROM
          (SELECT id, modality, width, height, "createdAt" FROM "Image" WHERE "caseId" = c.id) i) AS images,
        (SELECT coalesce(json_agg(a ORDER BY a."createdAt", a.id), '[]') FROM "Assessment" a WHERE a."caseId" = c.id) AS assessments,
        (SELECT coalesce(json_agg(f ORDER BY f."createdAt", f.id), '[]') FROM "Finding" f WHERE f."caseId" = c.id) AS findings
      FROM "Case" c JOIN "Patient" p ON p.id = c."patientId"
      WHERE ${CASE_BY_ID_SQL}`,
      caseByIdParams(access, id),
    );
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

/**
 * json_agg gives timestamps as strings; the view mappers take the Date objects Prisma would give.
 * Converted in place: the objects were just parsed for this request and nothing else holds them,
 * and a copy of every assessment and finding was a measurable share of this read's garbage.
 */
function withDates(row: Json, fields: readonly string[]): Json {
  for (const f of fields) if (typeof row[f] === 'string') row[f] = new Date(row[f] as string);
  return row;
}
