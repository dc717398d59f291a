import { Controller, Get, Query } from '@nestjs/common';
import { AuditQuerySchema, type AuditEntry, type AuditQuery, type Page, type TenantAccess } from '@dg/contracts';
import { Access, RequireScope, ZodPipe } from '@dg/http';
import { AuditRepository } from './audit.repository';

@Controller('v1/audit')
@RequireScope('admin')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  /** Newest first; filter by key, resource id, method and time range. */
  @Get()
  query(
    @Access() access: TenantAccess,
    @Query(new ZodPipe(AuditQuerySchema, 'query')) q: AuditQuery,
  ): Promise<Page<AuditEntry>> {
    return this.audit.query(access.tenant, q);
  }
}
