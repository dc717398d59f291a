import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { IngestionConfig } from '@dg/config';
import { Periodic } from '@dg/http';
import type { ListedObject, ObjectStore } from '@dg/storage';
import { CONFIG, OBJECT_STORE } from '../infrastructure/tokens';
import { OWNED_PREFIXES } from '../shared/object-keys';
import { ObjectReferencesRepository } from './object-references.repository';

const BATCH = 200;

/**
 * Known window: a content-addressed derivative listed as an orphan, re-put by a new upload of the
 * same pixels and deleted before that upload's row lands, would leave the new row without it. It
 * needs identical derivatives within milliseconds of a sweep of a >1 h old orphan; accepted.
 *
 * Removes objects under ingestion's prefixes that no row refers to and that are older than the grace
 * period. Uploads write objects before their row, so a young unowned object is most likely an upload
 * in flight: the grace period (default 1 h, far above the upload time-out) leaves those alone.
 */
@Injectable()
export class OrphanSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrphanSweeperService.name);
  private readonly rounds: Periodic;

  constructor(
    private readonly refs: ObjectReferencesRepository,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(CONFIG) private readonly config: IngestionConfig,
  ) {
    this.rounds = new Periodic(
      () => this.sweep(),
      config.SWEEP_INTERVAL_MS,
      (err) => this.logger.error({ err }, 'orphan sweep failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  /** One pass; returns the keys it deleted. */
  async sweep(now = new Date()): Promise<string[]> {
    const cutoff = now.getTime() - this.config.SWEEP_GRACE_MS;
    const deleted: string[] = [];
    for (const prefix of OWNED_PREFIXES) {
      let batch: ListedObject[] = [];
      for await (const o of this.store.list(prefix)) {
        if (o.lastModified.getTime() > cutoff) continue;
        batch.push(o);
        if (batch.length === BATCH) {
          deleted.push(...(await this.sweepBatch(batch, now)));
          batch = [];
        }
      }
      deleted.push(...(await this.sweepBatch(batch, now)));
    }
    if (deleted.length > 0) this.logger.log({ count: deleted.length }, 'orphan objects removed');
    return deleted;
  }

  private async sweepBatch(batch: ListedObject[], now: Date): Promise<string[]> {
    const referenced = await this.refs.referenced(
      batch.map((o) => o.key),
      now,
    );
    const out: string[] = [];
    for (const o of batch) {
      if (referenced.has(o.key)) continue;
      await this.store.delete(o.key);
      out.push(o.key);
    }
    return out;
  }
}
