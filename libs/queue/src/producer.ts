import { JOB_CATALOGUE, JobInput, JobName, QueueName } from '@dg/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import { closeWithin } from './bounded-close';
import type { QueueConnection } from './connection';

export interface AddOptions {
  /** Idempotency: a second add with the same id is ignored while the first job exists. */
  jobId: string;
  priority?: number;
}

/** Adds jobs to one queue of the catalogue; the payload is validated against its schema first. */
export class JobProducer<Q extends QueueName> {
  private readonly queue: Queue;

  constructor(
    readonly queueName: Q,
    conn: QueueConnection,
    private readonly defaults: JobsOptions = {},
  ) {
    this.queue = new Queue(
      queueName,
      { connection: conn.connection as never, prefix: conn.prefix } as never,
      conn.backend as never,
    );
  }

  async add<N extends JobName<Q>>(name: N, payload: JobInput<Q, N>, opts: AddOptions): Promise<void> {
    const schema = (JOB_CATALOGUE[this.queueName] as Record<string, { parse(v: unknown): unknown }>)[name];
    if (!schema) throw new Error(`job ${this.queueName}/${name} is not in the catalogue`);
    const data = schema.parse(payload);
    await this.queue.add(name, data, { ...this.defaults, jobId: opts.jobId, priority: opts.priority });
  }

  /** Whether the queue still holds this job, in any state (finished jobs are kept for a while). */
  async has(jobId: string): Promise<boolean> {
    return (await this.queue.getJobState(jobId)) !== 'unknown';
  }

  /** waiting + prioritized + delayed: what still needs a worker. */
  async backlog(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
    return (c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['delayed'] ?? 0);
  }

  async ping(): Promise<void> {
    await this.queue.getJobCounts('waiting');
  }

  close(): Promise<void> {
    return closeWithin(this.queue.close());
  }
}
