import { HttpStatus, Injectable } from '@nestjs/common';
import {
  defaultTasks,
  taskInputProblem,
  TASK_INPUT,
  type CreateDefaultAssessmentsRequest,
  type TaskName,
  type AssessmentView,
  type CreateAssessmentRequest,
  type InferenceInput,
  type TenantAccess,
} from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { CaseRepository } from '../cases/case.repository';
import { JobOutboxRepository, type PendingJob } from '../outbox/job-outbox.repository';
import { OutboxRelay } from '../outbox/outbox.relay';
import { AssessmentRepository } from './assessment.repository';
import { toAssessmentView } from './assessment.view';

/** Interactive lane: more urgent requests first (BullMQ runs priority 1 before 2 ...). */
const URGENCY_PRIORITY = { emergency: 1, urgent: 2, soon: 3, routine: 4 } as const;

/**
 * Records a queued assessment and, in the same transaction, its job in the outbox; the relay puts
 * it on its lane's queue right after the commit. The job id is the assessment id, so a resent job
 * can never run twice for the same assessment.
 */
@Injectable()
export class RequestAssessmentService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly assessments: AssessmentRepository,
    private readonly outbox: JobOutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * The default task set of an input: a panoramic gets classification, localized findings and a
   * report; an intraoral photo, photo analysis; no image, case analysis. One assessment per task.
   */
  async requestDefaults(
    access: TenantAccess,
    caseId: string,
    body: CreateDefaultAssessmentsRequest,
  ): Promise<AssessmentView[]> {
    let tasks: readonly TaskName[];
    if (body.imageId) {
      const image = (await this.cases.caseInput(access, caseId, body.imageId))?.image;
      if (!image) throw notFound('image', body.imageId);
      tasks = defaultTasks({ modality: image.modality });
    } else {
      if (!(await this.cases.caseText(access, caseId))) throw notFound('case', caseId);
      tasks = defaultTasks({ kind: 'text' });
    }
    if (!tasks.length) {
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'no_default_tasks',
        'this image type has no default tasks (the model was not trained on it); request a task explicitly',
      );
    }
    const out: AssessmentView[] = [];
    for (const task of tasks) out.push(await this.request(access, caseId, { ...body, task }));
    return out;
  }

  async request(access: TenantAccess, caseId: string, body: CreateAssessmentRequest): Promise<AssessmentView> {
    const tenant = access.tenant;
    // The case and the image in one statement: each round trip is on the request's path.
    const wantsImage = TASK_INPUT[body.task] !== 'text' ? body.imageId : undefined;
    const found = await this.cases.caseInput(access, caseId, wantsImage);
    if (!found) throw notFound('case', caseId);
    const { text: caseText, image } = found;

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
      if (!image) throw notFound('image', body.imageId);
      // A photo task on a radiograph (or the reverse) would only produce confident nonsense.
      const problem = taskInputProblem(body.task, { modality: image.modality });
      if (problem) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, problem.code, problem.message);
      input = {
        kind: 'image',
        imageId: image.id,
        normalizedKey: image.normalizedKey,
        modality: image.modality,
        caseText,
      };
    }

    const lane = body.lane;
    let pending: PendingJob | undefined;
    const row = await this.assessments.createQueued(
      tenant,
      { caseId, imageId: body.imageId, task: body.task, lane },
      async (tx, created, queuedAhead) => {
        pending = await this.outbox.insert(tx, tenant, {
          lane,
          jobId: created.id,
          job: { assessmentId: created.id, tenantId: tenant, task: body.task, input, lane },
          // Backfills share the batch lane fairly: each tenant's n-th queued job competes with the
          // other tenants' n-th, so one chain's 100,000 images cannot starve another's ten.
          priority: lane === 'batch' ? queuedAhead + 1 : URGENCY_PRIORITY[body.urgency],
        });
      },
    );
    this.relay.send(pending!);
    return toAssessmentView(row);
  }
}
