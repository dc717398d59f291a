import { Inject, Injectable } from '@nestjs/common';
import type { ClinicView, TenantAccess } from '@dg/contracts';
import { isUniqueViolation, type PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

export class ClinicNameTakenError extends Error {}

@Injectable()
export class ClinicRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async create(access: TenantAccess, name: string): Promise<ClinicView> {
    try {
      return toView(await this.prisma.clinic.create({ data: { organizationId: access.tenant, name } }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ClinicNameTakenError(name);
      throw error;
    }
  }

  async list(access: TenantAccess): Promise<ClinicView[]> {
    const rows = await this.prisma.clinic.findMany({
      where: { organizationId: access.tenant, ...(access.clinicId ? { id: access.clinicId } : {}) },
      orderBy: { name: 'asc' },
    });
    return rows.map(toView);
  }

  /** Whether the key may see this clinic: same organization and, if restricted, the same clinic. */
  async visible(access: TenantAccess, clinicId: string): Promise<boolean> {
    if (access.clinicId && access.clinicId !== clinicId) return false;
    return (await this.prisma.clinic.count({ where: { id: clinicId, organizationId: access.tenant } })) === 1;
  }
}

function toView(row: { id: string; name: string; createdAt: Date }): ClinicView {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
}
