import { DynamicBatcher, type Settled } from './dynamic-batcher';

const ok = <T>(value: T): Settled<T> => ({ ok: true, value });

describe('DynamicBatcher', () => {
  it('groups concurrent requests up to the batch size', async () => {
    const sizes: number[] = [];
    const batcher = new DynamicBatcher<number, number>(
      async (reqs) => {
        sizes.push(reqs.length);
        return reqs.map((r) => ok(r * 2));
      },
      { maxBatchSize: 4, maxWaitMs: 20 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(sizes).toEqual([4, 2]);
  });

  it('runs a lone request after the wait time', async () => {
    const batcher = new DynamicBatcher<string, string>(async (reqs) => reqs.map((r) => ok(r.toUpperCase())), {
      maxBatchSize: 8,
      maxWaitMs: 5,
    });
    await expect(batcher.submit('a')).resolves.toBe('A');
  });

  it('settles each request on its own: one failure does not fail its batch-mates', async () => {
    const batcher = new DynamicBatcher<number, number>(
      async (reqs) => reqs.map((r) => (r < 0 ? { ok: false as const, error: new Error(`bad ${r}`) } : ok(r))),
      { maxBatchSize: 3, maxWaitMs: 10 },
    );
    const settled = await Promise.allSettled([batcher.submit(1), batcher.submit(-1), batcher.submit(3)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('bad -1');
  });

  it('never runs two batches at once, and reports how long each request queued', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const waits: number[] = [];
    const batcher = new DynamicBatcher<number, number>(
      async (reqs, queueWait) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        waits.push(...queueWait);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return reqs.map(ok);
      },
      { maxBatchSize: 2, maxWaitMs: 1 },
    );
    await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.submit(i)));
    expect(maxInFlight).toBe(1);
    expect(waits).toHaveLength(7);
    expect(waits.every((w) => w >= 0)).toBe(true);
  });

  it('puts a higher-priority request into the next batch ahead of everything queued before it', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new DynamicBatcher<string, string>(
      async (reqs) => {
        batches.push(reqs);
        if (batches.length === 1) await gate;
        return reqs.map(ok);
      },
      { maxBatchSize: 2, maxWaitMs: 0 },
    );
    const first = batcher.submit('b0', 1);
    const backlog = ['b1', 'b2', 'b3', 'b4'].map((r) => batcher.submit(r, 1));
    const urgent = batcher.submit('i0', 0);
    release();
    await Promise.all([first, ...backlog, urgent]);
    expect(batches[0]).toEqual(['b0']);
    expect(batches[1]).toEqual(['i0', 'b1']);
  });
});
