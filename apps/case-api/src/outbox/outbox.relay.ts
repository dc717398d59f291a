import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { closeWithin, type InferenceLanes } from '@dg/queue';
import { INFERENCE_LANES } from '../infrastructure/tokens';
import { JobOutboxRepository, type PendingJob } from './job-outbox.repository';

/**
 * Moves committed outbox rows onto the queue. Kicked right after each commit (so a request's job
 * leaves within milliseconds) and on a timer (so rows left by a crash or a queue outage go out as
 * soon as the queue is back). BullMQ job ids make a resend after a crash harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly outbox: JobOutboxRepository,
    @Inject(INFERENCE_LANES) private readonly lanes: InferenceLanes,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), 500);
    this.kick();
  }

  private readonly sending = new Set<Promise<void>>();

  /**
   * The fast path: a job just committed goes to its queue at once, without a round of the table
   * (a claim and a transaction). If the queue is unreachable the row stays pending and a round
   * sends it. Should a round pick it up meanwhile, the job id makes the second add a no-op.
   */
  send(job: PendingJob): void {
    if (this.stopped) return;
    const sent: Promise<void> = this.lanes
      .add(job.lane, job.job, { jobId: job.jobId, priority: job.priority })
      .then(() => this.outbox.markDispatched(job.id))
      .catch((error: Error) => {
        this.logger.warn({ err: error.message }, 'direct send failed; the relay will retry');
        this.kick();
      })
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /** Drain now; a kick during a drain makes it go round once more, never twice at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainAll().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drainAll(): Promise<void> {
    try {
      while (
        (await this.outbox.drain(100, (j) =>
          this.lanes.add(j.lane, j.job, { jobId: j.jobId, priority: j.priority }),
        )) === 100
      ) {
        // a full page: there may be more
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'outbox relay round failed; retrying');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    // A send stuck on an unreachable queue leaves its row pending: the next process sends it.
    await closeWithin(Promise.all(this.sending));
  }
}
