import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { defaultTasks, taskInputProblem, type ImageIngested } from '@dg/contracts';
import { withAdvisoryLock, type PgPool } from '@dg/db';
import { JobConsumer, type QueueConnection } from '@dg/queue';
import { PG_POOL, QUEUE_CONNECTION } from '../infrastructure/tokens';
import { AssessmentRepository } from './assessment.repository';
import { RequestAssessmentService } from './request-assessment.service';

/**
 * Images to analyze (ARCHITECTURE's image.ingested): stored by an archive import (batch lane) or by
 * an upload that asked for it (`analyze`, interactive lane). Each gets its tasks (or its modality's
 * defaults) through the same outbox as an API request. Idempotent: a redelivered job skips the tasks
 * the image already has on that lane, so an image is never analyzed twice by these events.
 */
@Injectable()
export class IntakeProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IntakeProcessor.name);
  private consumer?: JobConsumer<'intake'>;

  constructor(
    @Inject(QUEUE_CONNECTION) private readonly conn: QueueConnection,
    @Inject(PG_POOL) private readonly pool: PgPool,
    private readonly assessments: AssessmentRepository,
    private readonly requests: RequestAssessmentService,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new JobConsumer(
      'intake',
      this.conn,
      { 'image.ingested': (p) => this.analyze(p) },
      {
        concurrency: 4,
        onFailed: (job, err) => this.logger.warn({ jobId: job?.id, err: err.message }, 'intake not processed yet'),
        onError: (err) => this.logger.warn({ err: err.message }, 'intake queue connection error'),
      },
    );
    this.consumer.start();
  }

  private async analyze(p: ImageIngested): Promise<void> {
    const image = await this.assessments.findImage(p.tenantId, p.imageId);
    if (!image) return; // gone (tenant deleted it): nothing to analyze
    const wanted = p.tasks.length ? p.tasks : defaultTasks({ modality: image.modality });
    // An explicit task that does not fit this image is skipped, not failed: the rest of the
    // archive's images may fit it.
    const fitting = wanted.filter((task) => !taskInputProblem(task, { modality: image.modality }));
    // Two events for one image (two uploads asking for different tasks, on two replicas) must not
    // both find a task missing and both request it: the check and the requests run under a lock.
    await withAdvisoryLock(this.pool, `intake:${p.imageId}:${p.lane}`, async () => {
      const done = await this.assessments.tasksOf(p.tenantId, p.imageId, p.lane);
      for (const task of fitting.filter((t) => !done.has(t))) {
        // Under the case the event names: an upload's (the image may be filed under an earlier case
        // of the same patient, which case-api accepts), or the import's.
        await this.requests.request({ tenant: p.tenantId, clinicId: null }, p.caseId, {
          task,
          imageId: image.id,
          lane: p.lane,
          urgency: 'routine',
        });
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }
}
