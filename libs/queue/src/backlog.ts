import { LANE_QUEUES, LANES, type Lane } from '@dg/contracts';
import { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { closeWithin } from './bounded-close';
import type { QueueConnection } from './connection';

/**
 * Work still waiting for a GPU worker, per lane: waiting + prioritized + delayed. KEDA's Redis list
 * scaler reads only the wait list and so misses prioritized BullMQ jobs; this counts all three.
 */
export class LaneBacklog {
  private readonly queues: Record<Lane, Queue>;

  constructor(conn: QueueConnection) {
    this.queues = Object.fromEntries(
      LANES.map((lane) => [
        lane,
        new Queue(
          LANE_QUEUES[lane],
          { connection: conn.connection as never, prefix: conn.prefix } as never,
          conn.backend as never,
        ),
      ]),
    ) as Record<Lane, Queue>;
  }

  async of(lane: Lane): Promise<number> {
    const c = await this.queues[lane].getJobCounts('waiting', 'prioritized', 'delayed');
    return (c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['delayed'] ?? 0);
  }

  async all(): Promise<Record<Lane, number>> {
    const counts = await Promise.all(LANES.map((lane) => this.of(lane)));
    return Object.fromEntries(LANES.map((lane, i) => [lane, counts[i]])) as Record<Lane, number>;
  }

  /** `dentalgemma_queue_backlog{lane}`, read at scrape time: the metric the KEDA ScaledObject uses. */
  register(registry: Registry): void {
    const backlog = this.all.bind(this);
    new Gauge({
      name: 'dentalgemma_queue_backlog',
      help: 'Inference jobs waiting for a worker, per lane (waiting + prioritized + delayed)',
      labelNames: ['lane'],
      registers: [registry],
      async collect() {
        const counts = await backlog();
        for (const lane of LANES) this.set({ lane }, counts[lane]);
      },
    });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => closeWithin(q.close())));
  }
}
