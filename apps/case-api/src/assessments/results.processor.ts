import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AssessmentCompleted } from '@dg/contracts';
import { JobConsumer, type QueueConnection } from '@dg/queue';
import { QUEUE_CONNECTION } from '../infrastructure/tokens';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { AssessmentRepository } from './assessment.repository';
import { ResultRepository } from './result.repository';

/**
 * Consumes the worker's results queue. Thin by design: each handler is one repository call, and
 * each is idempotent, so at-least-once delivery never duplicates or regresses an assessment. A job
 * leaves the queue only after its result is stored: if Postgres is down it is retried.
 */
@Injectable()
export class ResultsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ResultsProcessor.name);
  private consumer?: JobConsumer<'results'>;

  constructor(
    @Inject(QUEUE_CONNECTION) private readonly conn: QueueConnection,
    private readonly assessments: AssessmentRepository,
    private readonly results: ResultRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new JobConsumer(
      'results',
      this.conn,
      {
        'assessment.started': (p) => this.assessments.markRunning(p.tenantId, p.assessmentId, new Date(p.startedAt)),
        'assessment.completed': (p) => this.completed(p),
        'assessment.failed': (p) => this.assessments.fail(p.tenantId, p),
      },
      {
        concurrency: 8,
        onFailed: (job, err) => this.logger.warn({ jobId: job?.id, err: err.message }, 'result not stored yet'),
        onError: (err) => this.logger.warn({ err: err.message }, 'results queue connection error'),
      },
    );
    this.consumer.start();
  }

  private async completed(p: AssessmentCompleted): Promise<void> {
    const { urgent } = await this.results.complete(p.tenantId, p);
    // Urgent findings do not wait for the next poll.
    if (urgent) this.dispatcher.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }
}
