export interface BatcherOptions {
  /** Largest batch handed to the runner. */
  maxBatchSize: number;
  /** How long the first request of a batch waits for company before the batch runs anyway. */
  maxWaitMs: number;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

interface Pending<Req, Res> {
  request: Req;
  priority: number;
  seq: number;
  enqueuedAt: number;
  resolve(value: Res): void;
  reject(error: Error): void;
}

/**
 * Groups concurrent requests into batches of up to `maxBatchSize`, waiting at most `maxWaitMs` for a
 * batch to fill. One batch runs at a time (the model's threads are shared). The runner settles each
 * request on its own, so one bad request never fails its batch-mates.
 */
export class DynamicBatcher<Req, Res> {
  private queue: Pending<Req, Res>[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;
  private seq = 0;

  constructor(
    private readonly run: (requests: Req[], queueWaitMs: number[]) => Promise<Settled<Res>[]>,
    private readonly opts: BatcherOptions,
  ) {
    if (opts.maxBatchSize < 1) throw new Error('maxBatchSize must be at least 1');
  }

  /**
   * Lower priority numbers go first (interactive 0, batch 1); equal priorities keep arrival order.
   * A waiting interactive request therefore joins the very next batch, whatever backlog is queued.
   */
  submit(request: Req, priority = 0): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const item = { request, priority, seq: this.seq++, resolve, reject, enqueuedAt: performance.now() };
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1]!.priority > priority) at--;
      this.queue.splice(at, 0, item);
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running) return;
    if (this.queue.length >= this.opts.maxBatchSize || this.opts.maxWaitMs <= 0) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), this.opts.maxWaitMs);
    }
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.opts.maxBatchSize);
    const now = performance.now();
    try {
      const results = await this.run(
        batch.map((p) => p.request),
        batch.map((p) => now - p.enqueuedAt),
      );
      batch.forEach((p, i) => {
        const r = results[i];
        if (!r) p.reject(new Error('batch runner returned no result for this request'));
        else if (r.ok) p.resolve(r.value);
        else p.reject(r.error);
      });
    } catch (error) {
      batch.forEach((p) => p.reject(error as Error));
    } finally {
      this.running = false;
      // Whatever arrived meanwhile has already waited at least one batch: run it without delay.
      if (this.queue.length) void this.flush();
    }
  }
}
