import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  AddFindingRequestSchema,
  AssessmentListQuerySchema,
  CreateAssessmentRequestSchema,
  CreateDefaultAssessmentsRequestSchema,
  type CreateDefaultAssessmentsRequest,
  IdSchema,
  SignRequestSchema,
  SubmitReviewRequestSchema,
  type AddFindingRequest,
  type AssessmentListQuery,
  type AssessmentView,
  type Page,
  type CreateAssessmentRequest,
  type FindingView,
  type ReviewView,
  type SignRequest,
  type SubmitReviewRequest,
  type TenantAccess,
} from '@dg/contracts';
import { Access, notFound, RequireScope, ZodPipe } from '@dg/http';
import type { FastifyReply } from 'fastify';
import { ClinicRepository } from '../auth/clinic.repository';
import { etagOf } from '../common/etag';
import { AddFindingService } from '../reviews/add-finding.service';
import { ReviewRepository } from '../reviews/review.repository';
import { SignAssessmentService } from '../reviews/sign-assessment.service';
import { SubmitReviewService } from '../reviews/submit-review.service';
import { AssessmentRepository } from './assessment.repository';
import { RequestAssessmentService } from './request-assessment.service';

const assessmentId = new ZodPipe(IdSchema, 'assessment id');

/** Assessments and their review. Every response carrying an assessment sets its ETag. */
@Controller('v1')
export class AssessmentsController {
  constructor(
    private readonly requests: RequestAssessmentService,
    private readonly assessments: AssessmentRepository,
    private readonly reviewRepo: ReviewRepository,
    private readonly submitReview: SubmitReviewService,
    private readonly signer: SignAssessmentService,
    private readonly addFindings: AddFindingService,
    private readonly clinics: ClinicRepository,
  ) {}

  /** 201 with the queued assessment; poll GET /v1/assessments/:id for the result. */
  @Post('cases/:caseId/assessments')
  @RequireScope('write')
  create(
    @Access() access: TenantAccess,
    @Param('caseId', new ZodPipe(IdSchema, 'case id')) caseId: string,
    @Body(new ZodPipe(CreateAssessmentRequestSchema)) body: CreateAssessmentRequest,
  ): Promise<AssessmentView> {
    return this.requests.request(access, caseId, body);
  }

  /** The input's default task set, one queued assessment per task (201 with all of them). */
  @Post('cases/:caseId/assessments/defaults')
  @RequireScope('write')
  async createDefaults(
    @Access() access: TenantAccess,
    @Param('caseId', new ZodPipe(IdSchema, 'case id')) caseId: string,
    @Body(new ZodPipe(CreateDefaultAssessmentsRequestSchema)) body: CreateDefaultAssessmentsRequest,
  ): Promise<{ items: AssessmentView[] }> {
    return { items: await this.requests.requestDefaults(access, caseId, body) };
  }

  /** `?status=completed&reviewState=draft`: the review queue, longest waiting first. */
  @Get('assessments')
  @RequireScope('read')
  async list(
    @Access() access: TenantAccess,
    @Query(new ZodPipe(AssessmentListQuerySchema, 'query')) q: AssessmentListQuery,
  ): Promise<Page<AssessmentView>> {
    // As on /v1/follow-ups: a clinic the key cannot see is not found.
    if (q.clinicId && q.clinicId !== 'none' && !(await this.clinics.visible(access, q.clinicId))) {
      throw notFound('clinic', q.clinicId);
    }
    return this.assessments.list(access, q);
  }

  @Get('assessments/:id')
  @RequireScope('read')
  async get(
    @Access() access: TenantAccess,
    @Param('id', assessmentId) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentView> {
    const found = await this.assessments.findById(access, id);
    if (!found) throw notFound('assessment', id);
    void reply.header('etag', etagOf(found.version));
    return found;
  }

  @Get('assessments/:id/reviews')
  @RequireScope('read')
  async reviews(@Access() access: TenantAccess, @Param('id', assessmentId) id: string): Promise<ReviewView[]> {
    const found = await this.reviewRepo.listReviews(access, id);
    if (!found) throw notFound('assessment', id);
    return found;
  }

  /** Needs If-Match: the ETag read with the assessment (428 without, 412 when stale). */
  @Post('assessments/:id/reviews')
  @RequireScope('review')
  async review(
    @Access() access: TenantAccess,
    @Param('id', assessmentId) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body(new ZodPipe(SubmitReviewRequestSchema)) body: SubmitReviewRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentView> {
    const view = await this.submitReview.submit(access, id, ifMatch, body);
    void reply.header('etag', etagOf(view.version));
    return view;
  }

  @Post('assessments/:id/sign')
  @HttpCode(200)
  @RequireScope('review')
  async sign(
    @Access() access: TenantAccess,
    @Param('id', assessmentId) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body(new ZodPipe(SignRequestSchema)) body: SignRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentView> {
    const view = await this.signer.sign(access, id, ifMatch, body.clinicianId);
    void reply.header('etag', etagOf(view.version));
    return view;
  }

  @Post('assessments/:id/findings')
  @RequireScope('review')
  async addFinding(
    @Access() access: TenantAccess,
    @Param('id', assessmentId) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body(new ZodPipe(AddFindingRequestSchema)) body: AddFindingRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FindingView> {
    const { finding, version } = await this.addFindings.add(access, id, ifMatch, body);
    void reply.header('etag', etagOf(version));
    return finding;
  }

  @Get('findings/:id')
  @RequireScope('read')
  async finding(
    @Access() access: TenantAccess,
    @Param('id', new ZodPipe(IdSchema, 'finding id')) id: string,
  ): Promise<FindingView> {
    const found = await this.reviewRepo.findFinding(access, id);
    if (!found) throw notFound('finding', id);
    return found;
  }
}
