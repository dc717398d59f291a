import { JOB_CATALOGUE, JobName, JobPayload, QueueName } from '@dg/contracts';
import { Worker, type Job } from 'bullmq';
import type { QueueConnection } from './connection';
import { closeWithin } from './bounded-close';
import { PermanentJobError } from './errors';

export interface JobContext {
  jobId: string;
  /** 1 for the first try. */
  attempt: number;
  /** The attempts the producer gave the job: on the last one, a failure is final. */
  maxAttempts: number;
}

/** One handler per job name of the queue: the type system and the boot check both demand all of them. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (payload: JobPayload<Q, N>, ctx: JobContext) => Promise<unknown>;
};

export interface ConsumerOptions {
  concurrency: number;
  /**
   * How long a job stays locked without a heartbeat. BullMQ renews the lock while the job runs, so
   * this bounds how soon a killed worker's job is taken over, not how long a job may take.
   */
  lockDurationMs?: number;
  /** How often stalled jobs (their worker died) are looked for and put back in the queue. */
  stalledIntervalMs?: number;
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
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

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
        this.inFlight++;
        try {
          return await handler(parsed.data, {
            jobId: job.id ?? '',
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
          });
        } finally {
          if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
        }
      },
      {
        connection: conn.connection as never,
        prefix: conn.prefix,
        concurrency: opts.concurrency,
        lockDuration: opts.lockDurationMs ?? 30_000,
        stalledInterval: opts.stalledIntervalMs ?? 15_000,
        maxStalledCount: 2,
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

  /**
   * Stops taking jobs and waits up to `graceMs` for the ones in flight. Past that, the worker lets
   * go (force): its jobs' locks lapse and another worker takes them over as stalled jobs, so a
   * node drain loses nothing even when a job outlasts the grace period.
   */
  async close(graceMs = Infinity): Promise<'drained' | 'released'> {
    // BullMQ's close() waits for active jobs without a deadline, and a later close(true) returns
    // that same pending promise: so pause first, wait with our own deadline, then close once.
    await closeWithin(this.worker.pause(true));
    const idle = this.idle();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'released'>(
      (r) => (timer = Number.isFinite(graceMs) ? setTimeout(() => r('released'), graceMs) : undefined),
    );
    const outcome = await Promise.race([idle.then(() => 'drained' as const), deadline]);
    clearTimeout(timer);
    await closeWithin(this.worker.close(outcome === 'released'));
    return outcome;
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
