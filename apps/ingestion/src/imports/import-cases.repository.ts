import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TenantId } from '@dg/contracts';
import { isUniqueViolation, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export interface CaseGroup {
  /** The patient's id in the practice-management system (manifest) or the DICOM PatientID. */
  patientExternalId: string;
  /** One case per study when grouping DICOM; undefined: one case per patient for the import. */
  studyInstanceUid?: string;
  clinic?: string;
}

/**
 * The cases an import files its images under. Patients and cases are case-api's records; an import
 * only finds or creates the patient by external id and opens one case per patient (or study) per
 * import, recorded in ImportGroup so a resumed import finds the same case again.
 */
@Injectable()
export class ImportCasesRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async caseExists(tenant: TenantId, caseId: string): Promise<boolean> {
    return (await this.prisma.case.count({ where: { id: caseId, organizationId: tenant } })) === 1;
  }

  async caseFor(tenant: TenantId, importId: string, group: CaseGroup): Promise<string> {
    // The grouping values include identifiers: only their hash is kept on the import's side.
    const groupKey = createHash('sha256')
      .update(`${group.patientExternalId}\0${group.studyInstanceUid ?? ''}\0${group.clinic ?? ''}`)
      .digest('hex');
    // Two items of one group (or two groups of one patient) at once: one transaction loses on a
    // unique index and the next round finds what the other created.
    for (let round = 0; ; round++) {
      const known = await this.prisma.importGroup.findUnique({ where: { importId_groupKey: { importId, groupKey } } });
      if (known) return known.caseId;
      try {
        return await this.create(tenant, importId, groupKey, group);
      } catch (error) {
        if (!isUniqueViolation(error) || round >= 2) throw error;
      }
    }
  }

  private create(tenant: TenantId, importId: string, groupKey: string, group: CaseGroup): Promise<string> {
    return this.prisma.$transaction(async (tx) => {
      const clinicId = group.clinic
        ? (
            await tx.clinic.upsert({
              where: { organizationId_name: { organizationId: tenant, name: group.clinic } },
              create: { organizationId: tenant, name: group.clinic },
              update: {},
            })
          ).id
        : null;
      const patient = await tx.patient.upsert({
        where: {
          organizationId_pms_externalId: {
            organizationId: tenant,
            pms: 'default',
            externalId: group.patientExternalId,
          },
        },
        create: { organizationId: tenant, externalId: group.patientExternalId },
        update: {},
      });
      const kase = await tx.case.create({ data: { organizationId: tenant, patientId: patient.id, clinicId } });
      await tx.importGroup.create({ data: { importId, groupKey, caseId: kase.id } });
      return kase.id;
    });
  }
}
