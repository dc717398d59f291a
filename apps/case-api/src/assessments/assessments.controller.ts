import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  CreateAssessmentRequestSchema,
  IdSchema,
  type AssessmentView,
  type CreateAssessmentRequest,
  type TenantId,
} from '@dg/contracts';
import { notFound, ResolveTenantPipe, TenantSlug, ZodPipe } from '@dg/http';

import { AssessmentRepository } from './assessment.repository';
import { RequestAssessmentService } from './request-assessment.service';

@Controller('v1')
export class AssessmentsController {
  constructor(
    private readonly requests: RequestAssessmentService,
    private readonly assessments: AssessmentRepository,
  ) {}

  /** 201 with the queued assessment; poll GET /v1/assessments/:id for the result. */
  @Post('cases/:caseId/assessments')
  create(
    @TenantSlug(ResolveTenantPipe) tenant: TenantId,
    @Param('caseId', new ZodPipe(IdSchema, 'case id')) caseId: string,
    @Body(new ZodPipe(CreateAssessmentRequestSchema)) body: CreateAssessmentRequest,
  ): Promise<AssessmentView> {
    return this.requests.request(tenant, caseId, body);
  }

  @Get('assessments/:id')
  async get(
    @TenantSlug(ResolveTenantPipe) tenant: TenantId,
    @Param('id', new ZodPipe(IdSchema, 'assessment id')) id: string,
  ): Promise<AssessmentView> {
    const found = await this.assessments.findById(tenant, id);
    if (!found) throw notFound('assessment', id);
    return found;
  }
}
