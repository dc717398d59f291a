import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { WorkerConfig } from '@dg/config';
import { JobConsumer, type QueueConnection } from '@dg/queue';
import { CONFIG, QUEUE_CONNECTION } from '../infrastructure/tokens';
import { ModelService } from '../model/model.service';
import { RunAssessmentService } from './run-assessment.service';

/** The attempts case-api gives each inference job; the last one reports the failure. */
export const INFERENCE_ATTEMPTS = 3;

/** Thin processor: starts consuming only once the model is loaded, then hands each job to the use case. */
@Injectable()
export class RunAssessmentProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunAssessmentProcessor.name);
  private consumer?: JobConsumer<'inference'>;

  constructor(
    private readonly model: ModelService,
    private readonly useCase: RunAssessmentService,
    @Inject(QUEUE_CONNECTION) private readonly conn: QueueConnection,
    @Inject(CONFIG) private readonly config: WorkerConfig,
  ) {}

  /** Enough jobs in hand to fill an engine batch, unless configured otherwise. */
  private get concurrency(): number {
    return this.config.WORKER_CONCURRENCY ?? this.config.BATCH_MAX_SIZE;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the HTTP server comes up at once and readiness reports the load in progress.
    this.model.load().then(
      () => this.startConsuming(),
      () => undefined,
    );
  }

  private startConsuming(): void {
    this.consumer = new JobConsumer(
      'inference',
      this.conn,
      { 'assessment.run': (payload, ctx) => this.useCase.run(payload, ctx, INFERENCE_ATTEMPTS) },
      {
        concurrency: this.concurrency,
        // A long generation on CPU must not be taken for a stalled job.
        lockDurationMs: 5 * 60_000,
        onFailed: (job, err) => this.logger.warn({ jobId: job?.id, err: err.message }, 'inference job failed'),
        onError: (err) => this.logger.warn({ err: err.message }, 'inference queue connection error'),
      },
    );
    this.consumer.start();
    this.logger.log(`consuming inference jobs, concurrency ${this.concurrency}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }
}
