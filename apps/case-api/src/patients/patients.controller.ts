import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  IdSchema,
  PatientListQuerySchema,
  type Page,
  type PatientListQuery,
  type PatientView,
  type TenantAccess,
} from '@dg/contracts';
import { Access, notFound, RequireScope, ZodPipe } from '@dg/http';
import { PatientRepository } from './patient.repository';

@Controller('v1/patients')
@RequireScope('read')
export class PatientsController {
  constructor(private readonly patients: PatientRepository) {}

  @Get()
  list(
    @Access() access: TenantAccess,
    @Query(new ZodPipe(PatientListQuerySchema, 'query')) q: PatientListQuery,
  ): Promise<Page<PatientView>> {
    return this.patients.list(access, q);
  }

  @Get(':id')
  async get(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'patient id')) id: string,
  ): Promise<PatientView> {
    const found = await this.patients.findById(access, id);
    if (!found) throw notFound('patient', id);
    return found;
  }
}
