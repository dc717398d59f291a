import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ItemState } from '@dg/contracts';
import { METRICS_REGISTRY } from '@dg/observability';
import { Counter, Registry } from 'prom-client';

/** Import items by outcome on /metrics: the rate an operator watches a backfill by, and alerts on. */
@Injectable()
export class ImportMetrics {
  private readonly items: Counter<'outcome'>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = new Registry()) {
    this.items = new Counter({
      name: 'dentalgemma_import_items_total',
      help: 'Archive import items finished, by outcome (imported, duplicate, refused, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  finished(outcome: ItemState, count = 1): void {
    if (count > 0) this.items.inc({ outcome }, count);
  }
}
