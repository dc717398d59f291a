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

/**
 * One case by id under caseScope, for the reads in plain SQL (the case aliased `c`); the values go
 * with it as $1..$3 (caseByIdParams).
 */
export const CASE_BY_ID_SQL = `c.id = $1::uuid AND c."organizationId" = $2::uuid AND ($3::uuid IS NULL OR c."clinicId" = $3::uuid)`;
export const caseByIdParams = (access: TenantAccess, id: string) => [id, access.tenant, access.clinicId];
