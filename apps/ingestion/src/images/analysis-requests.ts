import { createHash } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { taskInputProblem, type Analyze, type ImageView, type Modality, type TenantId } from '@dg/contracts';
import { ApiError } from '@dg/http';
import type { JobProducer } from '@dg/queue';
import { INTAKE_PRODUCER } from '../infrastructure/tokens';

/**
 * Refuses (422, before anything is stored) an `analyze` naming a task that does not take this kind
 * of image, as `POST /v1/cases/:caseId/assessments` would: case-api would otherwise skip it silently.
 */
export function checkAnalyze(analyze: Analyze | undefined, modality: Modality): void {
  if (!analyze || analyze === 'default') return;
  for (const task of analyze) {
    const problem = taskInputProblem(task, { modality });
    if (problem) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'task_input_mismatch', problem.message);
  }
}

/**
 * An upload's `analyze`: one image.ingested job on the intake queue, which case-api turns into
 * interactive-lane assessments (ARCHITECTURE's auto-analysis). Sent before the upload is answered,
 * so an acknowledged request to analyze is never lost: if the queue is away the client gets a 503
 * and its retry (the image is then a known duplicate) sends it again. case-api skips tasks the
 * image already has on that lane, so a retry never assesses twice.
 */
@Injectable()
export class AnalysisRequests {
  private readonly logger = new Logger(AnalysisRequests.name);

  constructor(@Inject(INTAKE_PRODUCER) private readonly intake: JobProducer<'intake'>) {}

  /** `caseId`: the case the upload named (the image may be filed under an earlier case of the patient). */
  async request(tenant: TenantId, caseId: string, image: ImageView, analyze: Analyze | undefined): Promise<void> {
    if (!analyze) return;
    const tasks = analyze === 'default' ? [] : [...new Set(analyze)];
    const which = createHash('sha256').update(tasks.join(',')).digest('hex').slice(0, 16);
    try {
      await this.intake.add(
        'image.ingested',
        { tenantId: tenant, imageId: image.id, caseId, tasks, lane: 'interactive' },
        { jobId: `${image.id}.${caseId}.upload.${which}` },
      );
    } catch (error) {
      this.logger.error({ err: (error as Error).message, imageId: image.id }, 'analysis request not queued');
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'queue_unavailable',
        `image ${image.id} is stored but its analysis could not be queued; retry the upload (with the same Idempotency-Key)`,
      );
    }
  }
}
