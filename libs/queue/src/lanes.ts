import { LANE_QUEUES, type Lane, type RunAssessmentJob } from '@dg/contracts';
import type { JobsOptions } from 'bullmq';
import type { QueueConnection } from './connection';
import { JobProducer } from './producer';

/**
 * Retries for inference jobs: exponential backoff with jitter, so a fleet of jobs that failed
 * together (a GPU node lost) does not come back in lockstep. Failed jobs stay for the dead-letter view.
 */
export const INFERENCE_JOB_DEFAULTS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** BullMQ priorities run from 1 (first) to 2^21; 0 means "no priority" and would skip the order. */
export const MAX_PRIORITY = 2 ** 21;

/** One producer per lane of the inference queue. */
export class InferenceLanes {
  private readonly producers: { interactive: JobProducer<'inference'>; batch: JobProducer<'inference-batch'> };

  constructor(conn: QueueConnection, defaults: JobsOptions = INFERENCE_JOB_DEFAULTS) {
    this.producers = {
      interactive: new JobProducer(LANE_QUEUES.interactive, conn, defaults),
      batch: new JobProducer(LANE_QUEUES.batch, conn, defaults),
    };
  }

  add(lane: Lane, job: RunAssessmentJob, opts: { jobId: string; priority?: number }): Promise<void> {
    const priority = opts.priority === undefined ? undefined : Math.min(MAX_PRIORITY, Math.max(1, opts.priority));
    return this.producers[lane].add('assessment.run', job, { jobId: opts.jobId, priority });
  }

  has(lane: Lane, jobId: string): Promise<boolean> {
    return this.producers[lane].has(jobId);
  }

  ping(): Promise<void> {
    return this.producers.interactive.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.producers.interactive.close(), this.producers.batch.close()]);
  }
}
