import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import type { RunImportJob } from '@dg/contracts';
import { JobConsumer, PermanentJobError, type JobContext, type QueueConnection } from '@dg/queue';
import { CONFIG, QUEUE_CONNECTION } from '../infrastructure/tokens';
import { CreateImportService } from './create-import.service';
import { ImportFailedError, ImportRunner } from './import-runner.service';
import { ImportRepository } from './import.repository';

/**
 * Consumes the imports queue: one job per run of an import. A process that dies mid-import loses
 * its job's lock and another ingestion process (or this one, restarted) takes the job over after
 * IMPORT_LOCK_MS; the runner then resumes from the items' persisted states.
 */
@Injectable()
export class ImportProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImportProcessor.name);
  private consumer?: JobConsumer<'imports'>;

  constructor(
    @Inject(QUEUE_CONNECTION) private readonly conn: QueueConnection,
    @Inject(CONFIG) private readonly config: IngestionConfig,
    private readonly runner: ImportRunner,
    private readonly imports: ImportRepository,
    private readonly creator: CreateImportService,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new JobConsumer(
      'imports',
      this.conn,
      { 'import.run': (p, ctx) => this.run(p, ctx) },
      {
        concurrency: this.config.IMPORT_JOBS_CONCURRENCY,
        lockDurationMs: this.config.IMPORT_LOCK_MS,
        stalledIntervalMs: Math.max(1000, Math.floor(this.config.IMPORT_LOCK_MS / 2)),
        onFailed: (job, err) => this.logger.warn({ jobId: job?.id, err: err.message }, 'import run failed'),
        onError: (err) => this.logger.warn({ err: err.message }, 'imports queue connection error'),
      },
    );
    this.consumer.start();
    // An import accepted while the queue was unreachable has a row but no job: queue it again.
    void this.requeueOrphans().catch((error: Error) =>
      this.logger.warn({ err: error.message }, 'could not re-queue unfinished imports'),
    );
  }

  private async run(p: RunImportJob, ctx: JobContext): Promise<void> {
    try {
      await this.runner.run(p.tenantId, p.importId);
    } catch (error) {
      const final = error instanceof ImportFailedError || ctx.attempt >= ctx.maxAttempts;
      if (final) await this.runner.fail(p.tenantId, p.importId, error as Error);
      throw error instanceof ImportFailedError ? new PermanentJobError(error.message) : error;
    }
  }

  private async requeueOrphans(): Promise<void> {
    for (const row of await this.imports.unfinished()) await this.creator.enqueue(row);
  }

  async onApplicationShutdown(): Promise<void> {
    // In-flight items are idempotent: an import stopped mid-item resumes on the next run.
    await this.consumer?.close(10_000);
  }
}
