import { asTenantId, type TenantId } from '@dg/contracts';
import type { PrismaClient } from './generated/prisma/client';

/** Creates an organization (and a first clinic) if absent: used by the local start and the tests. */
export async function ensureOrganization(
  prisma: PrismaClient,
  slug: string,
  name: string,
  clinicName = 'Main clinic',
): Promise<{ tenantId: TenantId; clinicId: string }> {
  const org = await prisma.organization.upsert({ where: { slug }, create: { slug, name }, update: {} });
  const clinic = await prisma.clinic.upsert({
    where: { organizationId_name: { organizationId: org.id, name: clinicName } },
    create: { organizationId: org.id, name: clinicName },
    update: {},
  });
  return { tenantId: asTenantId(org.id), clinicId: clinic.id };
}
