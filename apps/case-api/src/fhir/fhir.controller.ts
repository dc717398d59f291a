import { Controller, Get, Param, Res } from '@nestjs/common';
import { IdSchema, type TenantAccess } from '@dg/contracts';
import { Access, notFound, RequireScope, ZodPipe } from '@dg/http';
import type { FastifyReply } from 'fastify';
import { CaseDetailRepository } from '../cases/case-detail.repository';
import { FollowUpRepository } from '../follow-ups/follow-up.repository';
import { PatientRepository } from '../patients/patient.repository';
import { caseToFhirBundle } from './fhir-bundle';

@Controller('v1/cases')
export class FhirController {
  constructor(
    private readonly details: CaseDetailRepository,
    private readonly followUps: FollowUpRepository,
    private readonly patients: PatientRepository,
  ) {}

  /** The case as a FHIR R4 Bundle (application/fhir+json). */
  @Get(':id/fhir')
  @RequireScope('read')
  async export(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'case id')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const detail = await this.details.find(access, id);
    if (!detail) throw notFound('case', id);
    const [followUps, patient] = await Promise.all([
      this.followUps.forCase(access, id),
      this.patients.findById({ tenant: access.tenant, clinicId: null }, detail.patientId),
    ]);
    void reply.header('content-type', 'application/fhir+json; charset=utf-8');
    return caseToFhirBundle(detail, followUps, { age: patient?.age ?? null, sex: patient?.sex ?? null }, new Date());
  }
}
