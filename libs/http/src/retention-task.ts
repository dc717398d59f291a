import {
  Logger,
  type FactoryProvider,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { Periodic } from './periodic';

const HOUR = 3600_000;

/**
 * Deletes records older than a retention period, hourly, for as long as the app runs: `prune` gets
 * the cutoff and says how many rows went. Used for idempotency records, which would otherwise pile
 * up for ever, answers (and claims a crash left behind) included.
 */
export class RetentionTask implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly periodic: Periodic;

  constructor(
    what: string,
    prune: (before: Date) => Promise<number>,
    retentionHours: number,
    now: () => number = Date.now,
    everyMs = HOUR,
  ) {
    this.logger = new Logger(`Retention(${what})`);
    this.periodic = new Periodic(
      async () => {
        const count = await prune(new Date(now() - retentionHours * HOUR));
        if (count > 0) this.logger.log({ count }, `${what} past retention deleted`);
      },
      everyMs,
      (error) => this.logger.warn({ err: (error as Error)?.message }, `${what}: retention round failed`),
    );
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  runOnce(): Promise<void> {
    return this.periodic.runOnce();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }
}

/** The provider of an app's RetentionTask over a repository that can `prune(before)`. */
export function retentionTaskFor(
  what: string,
  repository: Type<{ prune(before: Date): Promise<number> }>,
  retentionHours: number,
): FactoryProvider<RetentionTask> {
  return {
    provide: RetentionTask,
    inject: [repository],
    useFactory: (records: { prune(before: Date): Promise<number> }) =>
      new RetentionTask(what, (before) => records.prune(before), retentionHours),
  };
}
