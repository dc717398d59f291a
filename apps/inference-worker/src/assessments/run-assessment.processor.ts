import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LANE_QUEUES, LANES, RunAssessmentJobSchema, type Lane } from '@dg/contracts';
import type { WorkerConfig } from '@dg/config';
import { DeadLetterQueue, JobConsumer, LaneBacklog, type QueueConnection } from '@dg/queue';
import { METRICS_REGISTRY } from '@dg/observability';
import { Counter, Histogram, Registry } from 'prom-client';
import { UnrecoverableError, type Job } from 'bullmq';
import { CONFIG, QUEUE_CONNECTION } from '../infrastructure/tokens';
import { ModelService } from '../model/model.service';
import { RunAssessmentService } from './run-assessment.service';

/**
 * Thin processor: once the model is loaded, one consumer per lane hands jobs to the use case. The
 * engine's batcher serves the interactive lane first; jobs that use up their attempts are parked in
 * the dead-letter queue; on shutdown in-flight jobs finish or are released within the grace period.
 */
@Injectable()
export class RunAssessmentProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunAssessmentProcessor.name);
  private readonly consumers: JobConsumer<'inference' | 'inference-batch'>[] = [];
  private readonly deadLetters: DeadLetterQueue;
  private readonly backlog: LaneBacklog;
  private readonly jobs: Counter<'lane' | 'outcome'>;
  private readonly seconds: Histogram<'lane' | 'phase'>;

  constructor(
    private readonly model: ModelService,
    private readonly useCase: RunAssessmentService,
    @Inject(QUEUE_CONNECTION) private readonly conn: QueueConnection,
    @Inject(CONFIG) private readonly config: WorkerConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.deadLetters = new DeadLetterQueue(conn);
    this.backlog = new LaneBacklog(conn);
    this.backlog.register(registry);
    this.jobs = new Counter({
      name: 'dentalgemma_worker_jobs_total',
      help: 'Inference jobs finished by this worker, per lane and outcome (completed, failed, dead)',
      labelNames: ['lane', 'outcome'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'dentalgemma_worker_job_seconds',
      help: 'Completed inference jobs per lane: time queued (added to last started) and running',
      labelNames: ['lane', 'phase'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    });
  }

  /** Enough jobs in hand per lane to fill an engine batch, unless configured otherwise. */
  private get concurrency(): number {
    return this.config.WORKER_CONCURRENCY ?? this.config.BATCH_MAX_SIZE;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the HTTP server comes up at once and readiness reports the load in progress.
    this.model.load().then(
      () => LANES.forEach((lane) => this.consume(lane)),
      () => undefined,
    );
  }

  private consume(lane: Lane): void {
    const consumer = new JobConsumer(
      LANE_QUEUES[lane],
      this.conn,
      { 'assessment.run': (payload, ctx) => this.useCase.run(payload, ctx) },
      {
        concurrency: this.concurrency,
        lockDurationMs: this.config.LOCK_DURATION_MS,
        stalledIntervalMs: this.config.STALLED_INTERVAL_MS,
        onFailed: (job, err) => void this.onFailed(lane, job, err),
        onError: (err) => this.logger.warn({ err: err.message, lane }, 'inference queue connection error'),
      },
    );
    consumer.worker.on('completed', (job) => {
      this.jobs.inc({ lane, outcome: 'completed' });
      if (job.processedOn) this.seconds.observe({ lane, phase: 'queued' }, (job.processedOn - job.timestamp) / 1000);
      if (job.processedOn && job.finishedOn)
        this.seconds.observe({ lane, phase: 'running' }, (job.finishedOn - job.processedOn) / 1000);
    });
    this.consumers.push(consumer);
    consumer.start();
    this.logger.log(`consuming the ${lane} lane (${LANE_QUEUES[lane]}), concurrency ${this.concurrency}`);
  }

  private async onFailed(lane: Lane, job: Job | undefined, err: Error): Promise<void> {
    this.logger.warn({ jobId: job?.id, err: err.message, lane }, 'inference job failed');
    if (!job) return;
    const permanent = err instanceof UnrecoverableError || err.name === 'PermanentJobError';
    const final = permanent || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.jobs.inc({ lane, outcome: final ? 'dead' : 'failed' });
    if (!final) return;
    // A job that stalled too often (it took its workers down) is failed before run() sees it: the
    // assessment would stay running for ever. run()'s own report of a failure has the same id.
    const payload = RunAssessmentJobSchema.safeParse(job.data);
    if (payload.success)
      await this.useCase
        .reportFailure(payload.data, job.id ?? payload.data.assessmentId, err.message, permanent)
        .catch((e) => this.logger.error({ err: e.message, jobId: job.id }, 'failure report not sent'));
    await this.deadLetters
      .bury(job, err.message)
      .catch((e) => this.logger.error({ err: e.message }, 'dead-letter failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    const outcomes = await Promise.all(this.consumers.map((c) => c.close(this.config.DRAIN_TIMEOUT_MS)));
    if (outcomes.includes('released')) this.logger.warn('drain timed out: in-flight jobs released to other workers');
    await Promise.all([this.deadLetters.close(), this.backlog.close()]);
  }
}
