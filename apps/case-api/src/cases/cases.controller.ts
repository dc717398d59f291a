import { Body, Controller, Get, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CaseListQuerySchema,
  CreateCaseRequestSchema,
  IdSchema,
  UpdateCaseRequestSchema,
  type CaseDetail,
  type CaseListQuery,
  type CaseView,
  type CreateCaseRequest,
  type Page,
  type TenantAccess,
  type UpdateCaseRequest,
} from '@dg/contracts';
import { Access, ApiError, notFound, RequireScope, ZodPipe } from '@dg/http';
import { CaseDetailRepository } from './case-detail.repository';
import { CaseRepository, ClinicNotInTenantError } from './case.repository';

const caseId = new ZodPipe(IdSchema, 'case id');

@Controller('v1/cases')
export class CasesController {
  constructor(
    private readonly cases: CaseRepository,
    private readonly details: CaseDetailRepository,
  ) {}

  @Post()
  @RequireScope('write')
  async create(
    @Access() access: TenantAccess,
    @Body(new ZodPipe(CreateCaseRequestSchema)) body: CreateCaseRequest,
  ): Promise<CaseView> {
    try {
      return await this.cases.create(access, body);
    } catch (error) {
      if (error instanceof ClinicNotInTenantError) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'clinic_not_found', `clinic ${error.message} not found`);
      }
      throw error;
    }
  }

  @Get()
  @RequireScope('read')
  list(
    @Access() access: TenantAccess,
    @Query(new ZodPipe(CaseListQuerySchema, 'query')) q: CaseListQuery,
  ): Promise<Page<CaseView>> {
    return this.cases.list(access, q);
  }

  /** The case with its images, assessments and findings. */
  @Get(':id')
  @RequireScope('read')
  async get(@Access() access: TenantAccess, @Param('id', caseId) id: string): Promise<CaseDetail> {
    const found = await this.details.find(access, id);
    if (!found) throw notFound('case', id);
    return found;
  }

  @Patch(':id')
  @RequireScope('write')
  async update(
    @Access() access: TenantAccess,
    @Param('id', caseId) id: string,
    @Body(new ZodPipe(UpdateCaseRequestSchema)) body: UpdateCaseRequest,
  ): Promise<CaseView> {
    const found = await this.cases.update(access, id, body);
    if (!found) throw notFound('case', id);
    return found;
  }
}
