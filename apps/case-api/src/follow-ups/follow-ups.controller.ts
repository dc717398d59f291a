import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import {
  IdSchema,
  OrganizationWorklistQuerySchema,
  UpdateFollowUpRequestSchema,
  WorklistQuerySchema,
  type FollowUpView,
  type OrganizationWorklistQuery,
  type Page,
  type TenantAccess,
  type UpdateFollowUpRequest,
  type WorklistQuery,
} from '@dg/contracts';
import { Access, notFound, RequireScope, ZodPipe } from '@dg/http';
import { ClinicRepository } from '../auth/clinic.repository';
import { CaseRepository } from '../cases/case.repository';
import { FollowUpRepository } from './follow-up.repository';

@Controller('v1')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpRepository,
    private readonly clinics: ClinicRepository,
    private readonly cases: CaseRepository,
  ) {}

  /** The clinic's worklist: `dueBefore`, `overdue`, `urgency` filters; most urgent first. */
  @Get('clinics/:clinicId/worklist')
  @RequireScope('read')
  async worklist(
    @Access() access: TenantAccess,
    @Param('clinicId', new ZodPipe(IdSchema, 'clinic id')) clinicId: string,
    @Query(new ZodPipe(WorklistQuerySchema, 'query')) q: WorklistQuery,
  ): Promise<Page<FollowUpView>> {
    if (!(await this.clinics.visible(access, clinicId))) throw notFound('clinic', clinicId);
    return this.followUps.worklist(access, clinicId, q);
  }

  /** Every clinic's worklist at once, cases without a clinic included; `clinicId` (or `none`) narrows it. */
  @Get('follow-ups')
  @RequireScope('read')
  async all(
    @Access() access: TenantAccess,
    @Query(new ZodPipe(OrganizationWorklistQuerySchema, 'query')) q: OrganizationWorklistQuery,
  ): Promise<Page<FollowUpView>> {
    const { clinicId, ...rest } = q;
    if (clinicId && clinicId !== 'none' && !(await this.clinics.visible(access, clinicId))) {
      throw notFound('clinic', clinicId);
    }
    return this.followUps.worklist(access, clinicId === 'none' ? null : clinicId, rest);
  }

  @Get('cases/:id/follow-ups')
  @RequireScope('read')
  async forCase(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'case id')) id: string,
  ): Promise<FollowUpView[]> {
    if (!(await this.cases.findById(access, id))) throw notFound('case', id);
    return this.followUps.forCase(access, id);
  }

  @Get('follow-ups/:id')
  @RequireScope('read')
  async get(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'follow-up id')) id: string,
  ): Promise<FollowUpView> {
    const found = await this.followUps.findById(access, id);
    if (!found) throw notFound('follow_up', id);
    return found;
  }

  /** Booking, completing or cancelling; regeneration never touches `done`. */
  @Patch('follow-ups/:id')
  @RequireScope('write')
  async update(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'follow-up id')) id: string,
    @Body(new ZodPipe(UpdateFollowUpRequestSchema)) body: UpdateFollowUpRequest,
  ): Promise<FollowUpView> {
    const found = await this.followUps.setStatus(access, id, body.status);
    if (!found) throw notFound('follow_up', id);
    return found;
  }
}
