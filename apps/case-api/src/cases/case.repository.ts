import { Inject, Injectable } from '@nestjs/common';
import type {
  CaseListQuery,
  CaseText,
  CaseView,
  CreateCaseRequest,
  Modality,
  Page,
  TenantAccess,
  UpdateCaseRequest,
} from '@dg/contracts';
import type { PgPool, PrismaClient } from '@dg/db';
import { decodeCursor, pageFrom } from '@dg/http';
import { CASE_BY_ID_SQL, caseByIdParams, caseScope } from '../common/access';
import { PG_POOL, PRISMA } from '../infrastructure/tokens';

export class ClinicNotInTenantError extends Error {}

const WITH_PATIENT = { patient: { select: { externalId: true, pms: true, age: true, sex: true } } } as const;

export type CaseRow = {
  id: string;
  patientId: string;
  clinicId: string | null;
  status: string;
  chiefComplaint: string | null;
  clinicalFindings: string | null;
  radiographicFindings: string | null;
  medicalHistory: string | null;
  createdAt: Date;
  patient: { externalId: string; pms: string; age: number | null; sex: string | null };
};

@Injectable()
export class CaseRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(PG_POOL) private readonly pool: PgPool,
  ) {}

  /** Creates the case and, if new to this tenant, its patient; one transaction. */
  async create(access: TenantAccess, input: CreateCaseRequest): Promise<CaseView> {
    const clinicId = input.clinicId ?? access.clinicId ?? undefined;
    const row = await this.prisma.$transaction(async (tx) => {
      if (clinicId) {
        if (access.clinicId && access.clinicId !== clinicId) throw new ClinicNotInTenantError(clinicId);
        const clinic = await tx.clinic.findFirst({ where: { id: clinicId, organizationId: access.tenant } });
        if (!clinic) throw new ClinicNotInTenantError(clinicId);
      }
      const { pms, externalId, age, sex } = input.patient;
      const patient = await tx.patient.upsert({
        where: { organizationId_pms_externalId: { organizationId: access.tenant, pms, externalId } },
        create: { organizationId: access.tenant, pms, externalId, age, sex },
        update: { age, sex },
      });
      return tx.case.create({
        data: {
          organizationId: access.tenant,
          clinicId,
          patientId: patient.id,
          chiefComplaint: input.chiefComplaint,
          clinicalFindings: input.clinicalFindings,
          radiographicFindings: input.radiographicFindings,
          medicalHistory: input.medicalHistory,
        },
        include: WITH_PATIENT,
      });
    });
    return toCaseView(row);
  }

  async findById(access: TenantAccess, id: string): Promise<CaseView | undefined> {
    const row = await this.prisma.case.findFirst({ where: { id, ...caseScope(access) }, include: WITH_PATIENT });
    return row ? toCaseView(row) : undefined;
  }

  async list(access: TenantAccess, q: CaseListQuery): Promise<Page<CaseView>> {
    const cursor = decodeCursor(q.cursor);
    const dir = q.sort === 'createdAt' ? 'asc' : 'desc';
    const rows = await this.prisma.case.findMany({
      where: {
        ...caseScope(access),
        ...(q.status ? { status: q.status } : {}),
        ...(q.clinicId ? { clinicId: access.clinicId && access.clinicId !== q.clinicId ? '' : q.clinicId } : {}),
        ...(q.patientId ? { patientId: q.patientId } : {}),
        ...(q.createdAfter ? { createdAt: { gt: new Date(q.createdAfter) } } : {}),
      },
      orderBy: [{ createdAt: dir }, { id: dir }],
      take: q.limit + 1,
      ...(cursor ? { cursor: { id: cursor.id }, skip: 1 } : {}),
      include: WITH_PATIENT,
    });
    return pageFrom(rows, q.limit, (r) => ({ v: r.createdAt.toISOString(), id: r.id }), toCaseView);
  }

  async update(access: TenantAccess, id: string, input: UpdateCaseRequest): Promise<CaseView | undefined> {
    const { count } = await this.prisma.case.updateMany({ where: { id, ...caseScope(access) }, data: input });
    return count ? this.findById(access, id) : undefined;
  }

  /**
   * What the model is told about the case, read on every assessment request: one statement on the
   * pg pool Prisma uses (Prisma loaded the patient with a second query, and compiles each one; see
   * CaseDetailRepository). Scoped like caseScope: organization and, for restricted keys, clinic.
   */
  async caseText(access: TenantAccess, id: string): Promise<CaseText | undefined> {
    return (await this.caseInput(access, id, undefined))?.text;
  }

  /**
   * The case text and, when `imageId` is given, that image if it is this patient's (filed under this
   * case or another of theirs: ingestion keeps one image per content, and the same radiograph sent
   * again for a later visit is the existing image): what an assessment request needs, in one
   * statement. `image` is undefined when the image is missing, another patient's or another tenant's.
   */
  async caseInput(
    access: TenantAccess,
    id: string,
    imageId: string | undefined,
  ): Promise<{ text: CaseText; image: CaseImage | undefined } | undefined> {
    const { rows } = await this.pool.query<CaseInputRow>(
      `SELECT p.age, p.sex, c."chiefComplaint", c."clinicalFindings", c."radiographicFindings", c."medicalHistory",
        i.id AS "imageId", i."normalizedKey", i.modality::text AS modality
      FROM "Case" c JOIN "Patient" p ON p.id = c."patientId"
      LEFT JOIN "Image" i ON i.id = $4::uuid AND i."organizationId" = c."organizationId"
        AND EXISTS (SELECT 1 FROM "Case" ic WHERE ic.id = i."caseId" AND ic."patientId" = c."patientId")
      WHERE ${CASE_BY_ID_SQL}`,
      [...caseByIdParams(access, id), imageId ?? null],
    );
    const row = rows[0];
    if (!row) return undefined;
    const text = (v: string | number | null) => (v === null ? undefined : String(v));
    return {
      text: {
        age: row.age === null ? undefined : Number(row.age),
        sex: text(row.sex),
        chiefComplaint: text(row.chiefComplaint),
        clinicalFindings: text(row.clinicalFindings),
        radiographicFindings: text(row.radiographicFindings),
        medicalHistory: text(row.medicalHistory),
      },
      image:
        row.imageId && row.normalizedKey && row.modality
          ? {
              id: row.imageId,
              normalizedKey: row.normalizedKey,
              // The database's enum labels are the contract's ('intraoral-photo', by @map).
              modality: row.modality as Modality,
            }
          : undefined,
    };
  }
}

/** An image of the case, as much as a job needs of it. */
export interface CaseImage {
  id: string;
  normalizedKey: string;
  modality: Modality;
}

type CaseInputRow = Record<keyof CaseText, string | number | null> & {
  imageId: string | null;
  normalizedKey: string | null;
  modality: string | null;
};

export function toCaseView(row: CaseRow): CaseView {
  return {
    id: row.id,
    patientId: row.patientId,
    patientExternalId: row.patient.externalId,
    patientPms: row.patient.pms,
    clinicId: row.clinicId,
    status: row.status,
    chiefComplaint: row.chiefComplaint,
    clinicalFindings: row.clinicalFindings,
    radiographicFindings: row.radiographicFindings,
    medicalHistory: row.medicalHistory,
    createdAt: row.createdAt.toISOString(),
  };
}
