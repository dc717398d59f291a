import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LANE_QUEUES } from '@dg/contracts';
import type { CaseApiConfig } from '@dg/config';
import { Periodic } from '@dg/http';
import { METRICS_REGISTRY } from '@dg/observability';
import { DeadLetterQueue, InferenceLanes, JobProducer, type QueueConnection } from '@dg/queue';
import { Counter, type Registry } from 'prom-client';
import { CONFIG, DEAD_LETTERS, INFERENCE_LANES, QUEUE_CONNECTION } from '../infrastructure/tokens';
import { JobOutboxRepository, type OutboxCursor, type StaleJob } from './job-outbox.repository';

const PAGE = 200;

/**
 * The outbox guarantees a job was handed to the queue; this makes sure it is still there. Redis can
 * lose the last second of writes in a crash (AOF fsyncs once a second), and an operator can flush a
 * queue: an assessment would then wait for ever. Every round, assessments queued or running for
 * longer than JOB_RECONCILE_AFTER_MS are checked, a page at a time from a cursor (so a long backlog
 * is walked through, not its oldest page for ever); one whose job is in none of the queues (its lane,
 * the dead letters, or a result waiting to be stored) is sent again from its outbox row, with the
 * same job id. A rerun of a job that did finish changes nothing: results are stored once per id.
 * The round also deletes outbox rows of finished assessments after OUTBOX_RETENTION_HOURS.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobReconciler.name);
  private readonly results: JobProducer<'results'>;
  private readonly resent: Counter<'lane'>;
  private readonly rounds: Periodic;
  private cursor?: OutboxCursor;

  constructor(
    private readonly outbox: JobOutboxRepository,
    @Inject(INFERENCE_LANES) private readonly lanes: InferenceLanes,
    @Inject(DEAD_LETTERS) private readonly dead: DeadLetterQueue,
    @Inject(QUEUE_CONNECTION) conn: QueueConnection,
    @Inject(CONFIG) private readonly config: CaseApiConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.results = new JobProducer('results', conn);
    this.resent = new Counter({
      name: 'dentalgemma_jobs_resent_total',
      help: 'Inference jobs found missing from every queue and sent again from the outbox, per lane',
      labelNames: ['lane'],
      registers: [registry],
    });
    this.rounds = new Periodic(
      () => this.reconcile(),
      config.JOB_RECONCILE_INTERVAL_MS,
      (error) => this.logger.warn({ err: (error as Error).message }, 'job reconciliation round failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  /** One round, unless one is still running. Resolves when it is done; never rejects. */
  runOnce(): Promise<void> {
    return this.rounds.runOnce();
  }

  private async reconcile(): Promise<void> {
    const before = new Date(Date.now() - this.config.JOB_RECONCILE_AFTER_MS);
    const page = await this.outbox.unfinished(before, this.cursor, PAGE);
    // A short page means the end was reached: the next round starts from the oldest again.
    this.cursor = page.length === PAGE ? page.at(-1) : undefined;
    for (const job of page) {
      if (await this.queued(job)) continue;
      await this.lanes.add(job.lane, job.job, { jobId: job.jobId, priority: job.priority ?? undefined });
      this.resent.inc({ lane: job.lane });
      this.logger.warn({ assessmentId: job.assessmentId, lane: job.lane }, 'job missing from the queues: sent again');
    }
    const retention = this.config.OUTBOX_RETENTION_HOURS * 3600_000;
    await this.outbox.prune(new Date(Date.now() - retention));
  }

  /** Whether the job is anywhere it can still come back from. */
  private async queued(job: StaleJob): Promise<boolean> {
    const checks = [
      () => this.lanes.has(job.lane, job.jobId),
      () => this.dead.holds(LANE_QUEUES[job.lane], job.jobId),
      () => this.results.has(`${job.jobId}.completed`),
      () => this.results.has(`${job.jobId}.failed`),
    ];
    for (const check of checks) if (await check()) return true;
    return false;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
    await this.results.close();
  }
}
