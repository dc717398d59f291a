import { Body, Controller, Get, HttpStatus, Param, Post } from '@nestjs/common';
import { CreateCaseRequestSchema, IdSchema, type CaseView, type CreateCaseRequest, type TenantId } from '@dg/contracts';
import { ApiError, notFound, ResolveTenantPipe, TenantSlug, ZodPipe } from '@dg/http';

import { CaseRepository, ClinicNotInTenantError } from './case.repository';

@Controller('v1/cases')
export class CasesController {
  constructor(private readonly cases: CaseRepository) {}

  @Post()
  async create(
    @TenantSlug(ResolveTenantPipe) tenant: TenantId,
    @Body(new ZodPipe(CreateCaseRequestSchema)) body: CreateCaseRequest,
  ): Promise<CaseView> {
    try {
      return await this.cases.create(tenant, body);
    } catch (error) {
      if (error instanceof ClinicNotInTenantError) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'clinic_not_found', `clinic ${body.clinicId} not found`);
      }
      throw error;
    }
  }

  @Get(':id')
  async get(
    @TenantSlug(ResolveTenantPipe) tenant: TenantId,
    @Param('id', new ZodPipe(IdSchema, 'case id')) id: string,
  ): Promise<CaseView> {
    const found = await this.cases.findById(tenant, id);
    if (!found) throw notFound('case', id);
    return found;
  }
}
