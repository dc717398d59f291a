import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import {
  TASK_INPUT,
  type AssessmentView,
  type CreateAssessmentRequest,
  type InferenceInput,
  type TenantAccess,
} from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import type { JobProducer } from '@dg/queue';
import { CaseRepository } from '../cases/case.repository';
import { INFERENCE_PRODUCER } from '../infrastructure/tokens';
import { AssessmentRepository } from './assessment.repository';

/**
 * Records a queued assessment and enqueues its job. The job id is the assessment id, so a retried
 * enqueue can never create a second job for the same assessment.
 */
@Injectable()
export class RequestAssessmentService {
  private readonly logger = new Logger(RequestAssessmentService.name);

  constructor(
    private readonly cases: CaseRepository,
    private readonly assessments: AssessmentRepository,
    @Inject(INFERENCE_PRODUCER) private readonly inference: JobProducer<'inference'>,
  ) {}

  async request(access: TenantAccess, caseId: string, body: CreateAssessmentRequest): Promise<AssessmentView> {
    const tenant = access.tenant;
    const caseText = await this.cases.caseText(access, caseId);
    if (!caseText) throw notFound('case', caseId);

    let input: InferenceInput;
    if (TASK_INPUT[body.task] === 'text') {
      if (body.imageId) {
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'task_input_mismatch',
          `task ${body.task} works on the case text alone; omit imageId`,
        );
      }
      input = { kind: 'text', caseText };
    } else {
      if (!body.imageId) {
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'task_input_mismatch',
          `task ${body.task} needs an imageId`,
        );
      }
      const image = await this.assessments.findImage(tenant, body.imageId);
      if (!image || image.caseId !== caseId) throw notFound('image', body.imageId);
      input = {
        kind: 'image',
        imageId: image.id,
        normalizedKey: image.normalizedKey,
        modality: image.modality,
        caseText,
      };
    }

    const row = await this.assessments.createQueued(tenant, { caseId, imageId: body.imageId, task: body.task });
    try {
      await this.inference.add(
        'assessment.run',
        { assessmentId: row.id, tenantId: tenant, task: body.task, input },
        { jobId: row.id },
      );
    } catch (error) {
      // No job means no result will ever come: record that rather than leave a queued row behind.
      this.logger.error({ err: error, assessmentId: row.id }, 'enqueue failed');
      await this.assessments.fail(tenant, row.id, 'could not be queued; request it again', new Date());
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'queue_unavailable',
        'the analysis queue is unavailable; try again',
      );
    }
    return (await this.assessments.findById(access, row.id))!;
  }
}
