/**
 * One model call at a time, the most urgent waiter next: lower priority numbers first (0 is the
 * interactive lane), then arrival. Batches and candidate scoring share the engine's threads and
 * memory; with a first-come lock a backfill's scoring passes queued ahead of a chairside request.
 */
export class PriorityMutex {
  private busy = false;
  private seq = 0;
  private readonly waiting: { priority: number; seq: number; start: () => void }[] = [];

  run<T>(priority: number, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => this.next());
      };
      if (!this.busy) {
        this.busy = true;
        start();
        return;
      }
      this.waiting.push({ priority, seq: this.seq++, start });
      this.waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    });
  }

  /** Calls waiting for their turn (not counting the one running). */
  get queued(): number {
    return this.waiting.length;
  }

  private next(): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.start();
    else this.busy = false;
  }
}
