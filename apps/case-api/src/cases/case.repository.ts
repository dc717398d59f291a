import { Inject, Injectable } from '@nestjs/common';
import type { CaseText, CaseView, CreateCaseRequest, TenantId } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export class ClinicNotInTenantError extends Error {}

const WITH_PATIENT = { patient: { select: { externalId: true, age: true, sex: true } } } as const;

type CaseRow = {
  id: string;
  patientId: string;
  clinicId: string | null;
  status: string;
  chiefComplaint: string | null;
  clinicalFindings: string | null;
  radiographicFindings: string | null;
  medicalHistory: string | null;
  createdAt: Date;
  patient: { externalId: string; age: number | null; sex: string | null };
};

@Injectable()
export class CaseRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Creates the case and, if new to this tenant, its patient; one transaction. */
  async create(tenant: TenantId, input: CreateCaseRequest): Promise<CaseView> {
    const row = await this.prisma.$transaction(async (tx) => {
      if (input.clinicId) {
        const clinic = await tx.clinic.findFirst({ where: { id: input.clinicId, organizationId: tenant } });
        if (!clinic) throw new ClinicNotInTenantError(input.clinicId);
      }
      const patient = await tx.patient.upsert({
        where: { organizationId_externalId: { organizationId: tenant, externalId: input.patient.externalId } },
        create: {
          organizationId: tenant,
          externalId: input.patient.externalId,
          age: input.patient.age,
          sex: input.patient.sex,
        },
        update: { age: input.patient.age, sex: input.patient.sex },
      });
      return tx.case.create({
        data: {
          organizationId: tenant,
          clinicId: input.clinicId,
          patientId: patient.id,
          chiefComplaint: input.chiefComplaint,
          clinicalFindings: input.clinicalFindings,
          radiographicFindings: input.radiographicFindings,
          medicalHistory: input.medicalHistory,
        },
        include: WITH_PATIENT,
      });
    });
    return toView(row);
  }

  async findById(tenant: TenantId, id: string): Promise<CaseView | undefined> {
    const row = await this.prisma.case.findFirst({ where: { id, organizationId: tenant }, include: WITH_PATIENT });
    return row ? toView(row) : undefined;
  }

  /** The case in the card's structure, for the text-only task's prompt. */
  async caseText(tenant: TenantId, id: string): Promise<CaseText | undefined> {
    const row = await this.prisma.case.findFirst({ where: { id, organizationId: tenant }, include: WITH_PATIENT });
    if (!row) return undefined;
    return {
      age: row.patient.age ?? undefined,
      sex: row.patient.sex ?? undefined,
      chiefComplaint: row.chiefComplaint ?? undefined,
      clinicalFindings: row.clinicalFindings ?? undefined,
      radiographicFindings: row.radiographicFindings ?? undefined,
      medicalHistory: row.medicalHistory ?? undefined,
    };
  }
}

function toView(row: CaseRow): CaseView {
  return {
    id: row.id,
    patientId: row.patientId,
    patientExternalId: row.patient.externalId,
    clinicId: row.clinicId,
    status: row.status,
    chiefComplaint: row.chiefComplaint,
    clinicalFindings: row.clinicalFindings,
    radiographicFindings: row.radiographicFindings,
    medicalHistory: row.medicalHistory,
    createdAt: row.createdAt.toISOString(),
  };
}
