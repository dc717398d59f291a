import { Inject, Injectable } from '@nestjs/common';
import type { Page, PatientListQuery, PatientView, TenantAccess } from '@dg/contracts';
import type { PrismaClient } from '@dg/db';
import { decodeCursor, pageFrom } from '@dg/http';
import { PRISMA } from '../infrastructure/tokens';

type PatientRow = {
  id: string;
  pms: string;
  externalId: string;
  age: number | null;
  sex: string | null;
  createdAt: Date;
};

/** A clinic-restricted key sees the patients that have a case in its clinic. */
function patientScope(access: TenantAccess) {
  return access.clinicId
    ? { organizationId: access.tenant, cases: { some: { clinicId: access.clinicId } } }
    : { organizationId: access.tenant };
}

@Injectable()
export class PatientRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async findById(access: TenantAccess, id: string): Promise<PatientView | undefined> {
    const row = await this.prisma.patient.findFirst({ where: { id, ...patientScope(access) } });
    return row ? toView(row) : undefined;
  }

  async list(access: TenantAccess, q: PatientListQuery): Promise<Page<PatientView>> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.prisma.patient.findMany({
      where: {
        ...patientScope(access),
        ...(q.pms ? { pms: q.pms } : {}),
        ...(q.externalId ? { externalId: q.externalId } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(cursor ? { cursor: { id: cursor.id }, skip: 1 } : {}),
    });
    return pageFrom(rows, q.limit, (r) => ({ v: r.createdAt.toISOString(), id: r.id }), toView);
  }
}

function toView(row: PatientRow): PatientView {
  return {
    id: row.id,
    pms: row.pms,
    externalId: row.externalId,
    age: row.age,
    sex: row.sex,
    createdAt: row.createdAt.toISOString(),
  };
}
