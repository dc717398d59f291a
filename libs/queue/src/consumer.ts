import { JOB_CATALOGUE, JobName, JobPayload, QueueName } from '@dg/contracts';
import { Worker, type Job } from 'bullmq';
import type { QueueConnection } from './connection';
import { PermanentJobError } from './errors';

export interface JobContext {
  jobId: string;
  attempt: number;
}

/** One handler per job name of the queue: the type system and the boot check both demand all of them. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (payload: JobPayload<Q, N>, ctx: JobContext) => Promise<unknown>;
};

export interface ConsumerOptions {
  concurrency: number;
  lockDurationMs?: number;
  onFailed?: (job: Job | undefined, error: Error) => void;
  /** Connection-level errors (Redis restarting, say); BullMQ reconnects by itself. */
  onError?: (error: Error) => void;
}

/**
 * A BullMQ worker for one queue of the catalogue. It validates each payload against the catalogue
 * (a bad payload is a permanent failure, never retried) and hands it to the job's handler.
 */
export class JobConsumer<Q extends QueueName> {
  readonly worker: Worker;

  constructor(queueName: Q, conn: QueueConnection, handlers: JobHandlers<Q>, opts: ConsumerOptions) {
    const schemas = JOB_CATALOGUE[queueName] as Record<
      string,
      { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { message: string } } }
    >;
    const missing = Object.keys(schemas).filter(
      (name) => typeof (handlers as Record<string, unknown>)[name] !== 'function',
    );
    if (missing.length) throw new Error(`queue ${queueName}: no handler for ${missing.join(', ')}`);

    this.worker = new Worker(
      queueName,
      async (job: Job) => {
        const schema = schemas[job.name];
        if (!schema) throw new PermanentJobError(`unknown job name ${job.name} on queue ${queueName}`);
        const parsed = schema.safeParse(job.data);
        if (!parsed.success) throw new PermanentJobError(`invalid ${job.name} payload: ${parsed.error?.message}`);
        const handler = (handlers as Record<string, (p: unknown, c: JobContext) => Promise<unknown>>)[job.name]!;
        return handler(parsed.data, { jobId: job.id ?? '', attempt: job.attemptsMade + 1 });
      },
      {
        connection: conn.connection as never,
        prefix: conn.prefix,
        concurrency: opts.concurrency,
        lockDuration: opts.lockDurationMs ?? 60_000,
        autorun: false,
      } as never,
      conn.backend as never,
    );
    if (opts.onFailed) this.worker.on('failed', opts.onFailed);
    // An 'error' event without a listener would crash the process; BullMQ recovers from these itself.
    this.worker.on('error', (error) => opts.onError?.(error));
  }

  start(): void {
    void this.worker.run();
  }

  /** Stops taking jobs and waits for the ones in flight, so a shutdown never abandons a job midway. */
  close(): Promise<void> {
    return this.worker.close();
  }
}
