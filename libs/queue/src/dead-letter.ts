import {
  LANE_QUEUES,
  RunAssessmentJobSchema,
  type DeadAssessmentJob,
  type Lane,
  type RunAssessmentJob,
} from '@dg/contracts';
import { Queue, type Job } from 'bullmq';
import { closeWithin } from './bounded-close';
import type { QueueConnection } from './connection';

export interface DeadJobView extends DeadAssessmentJob {
  id: string;
}

/**
 * Jobs that used up their attempts are parked here, nothing consumes this queue: an operator lists
 * and inspects them, then retries (a fresh job in the original lane) or discards each one.
 */
export class DeadLetterQueue {
  private readonly queue: Queue;

  constructor(conn: QueueConnection) {
    this.queue = new Queue(
      'inference-dead',
      { connection: conn.connection as never, prefix: conn.prefix } as never,
      conn.backend as never,
    );
  }

  async bury(job: Job, error: string): Promise<void> {
    const parsed = RunAssessmentJobSchema.safeParse(job.data);
    if (!parsed.success) return; // not ours to keep: a malformed payload can never be retried
    const dead: DeadAssessmentJob = {
      job: parsed.data,
      sourceQueue: job.queueName,
      sourceJobId: job.id ?? '',
      error,
      attempts: job.attemptsMade,
      failedAt: new Date().toISOString(),
    };
    // One dead entry per source job, however often the failure is reported.
    await this.queue.add('assessment.dead', dead, { jobId: `${job.queueName}.${job.id}`, removeOnComplete: true });
  }

  /**
   * Up to `limit` dead jobs that pass `keep` (one tenant's, say), oldest first. The queue is read a
   * page at a time until enough are found, so other tenants' failures cannot hide a tenant's own.
   */
  async list(limit = 100, keep: (dead: DeadJobView) => boolean = () => true): Promise<DeadJobView[]> {
    const out: DeadJobView[] = [];
    const page = 500;
    for (let start = 0; out.length < limit; start += page) {
      const jobs = await this.queue.getJobs(['waiting', 'prioritized', 'delayed'], start, start + page - 1, true);
      for (const j of jobs.filter(Boolean)) {
        const view = { id: j.id ?? '', ...(j.data as DeadAssessmentJob) };
        if (keep(view) && out.length < limit) out.push(view);
      }
      if (jobs.length < page) break;
    }
    return out;
  }

  /** Whether a job of `sourceQueue` was buried here (and is still waiting for an operator). */
  async holds(sourceQueue: string, jobId: string): Promise<boolean> {
    return (await this.queue.getJobState(`${sourceQueue}.${jobId}`)) !== 'unknown';
  }

  async get(id: string): Promise<DeadJobView | undefined> {
    const job = await this.queue.getJob(id);
    return job ? { id, ...(job.data as DeadAssessmentJob) } : undefined;
  }

  /** A fresh job in the original lane, with a new id (the old one may still sit in "failed"). */
  async retry(
    id: string,
    requeue: (lane: Lane, job: RunAssessmentJob, jobId: string) => Promise<void>,
  ): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    const dead = job.data as DeadAssessmentJob;
    const lane = (Object.entries(LANE_QUEUES).find(([, q]) => q === dead.sourceQueue)?.[0] ?? dead.job.lane) as Lane;
    await requeue(lane, dead.job, `${dead.job.assessmentId}.retry.${Date.now()}`);
    await job.remove();
    return true;
  }

  async discard(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  close(): Promise<void> {
    return closeWithin(this.queue.close());
  }
}
