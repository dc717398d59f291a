import type { TenantAccess } from '@dg/contracts';

/**
 * Prisma filters for what a key may see. A clinic-restricted key sees only its clinic's cases and
 * what hangs off them; everything else is as absent as another organization's data (404).
 */
export function caseScope(access: TenantAccess) {
  return access.clinicId
    ? { organizationId: access.tenant, clinicId: access.clinicId }
    : { organizationId: access.tenant };
}

/** For rows that belong to a case (assessments, findings, follow-ups). */
export function underCase(access: TenantAccess) {
  return access.clinicId
    ? { organizationId: access.tenant, case: { clinicId: access.clinicId } }
    : { organizationId: access.tenant };
}
