import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

/**
 * The baseline: a bare BullMQ queue and worker on the same Redis, `producers` clients adding jobs
 * one by one while a worker with `concurrency` runs `work` on each. Nothing else: no HTTP, no
 * Postgres, no outbox. With `resultEvents` (the pipeline's shape: the worker reports "started" and
 * "completed" on a results queue that a second consumer drains), each job also adds that many jobs
 * to a second queue and counts as done when they are consumed. Returns jobs per second from the
 * first add to the last completion.
 */
export async function bareLoop(opts: {
  redisUrl: string;
  jobs: number;
  producers: number;
  concurrency: number;
  /** Producer-side work before each add (a row written first, as a real producer would). */
  prepare?: (i: number) => Promise<Record<string, unknown>>;
  work: (i: number, data: Record<string, unknown>) => Promise<unknown>;
  resultEvents?: number;
}): Promise<number> {
  const connection = new IORedis(opts.redisUrl, { maxRetriesPerRequest: null });
  const name = `bare-${Date.now()}`;
  const queue = new Queue(name, { connection });
  const events = opts.resultEvents ?? 0;
  const results = new Queue(`${name}-results`, { connection });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const complete = () => {
    if (++done === opts.jobs * Math.max(1, events)) finish();
  };
  const report = (i: number, k: number) => results.add('event', { i, k }, { removeOnComplete: { count: 1000 } });
  const worker = new Worker(
    name,
    async (job) => {
      const i = job.data.i as number;
      // "started" before the work and the rest after it, as the inference worker reports.
      if (events > 0) await report(i, 0);
      const out = await opts.work(i, job.data as Record<string, unknown>);
      for (let k = 1; k < events; k++) await report(i, k);
      return out;
    },
    { connection, concurrency: opts.concurrency, removeOnComplete: { count: 1000 } },
  );
  const consumers: Worker[] = [worker];
  if (events > 0) {
    consumers.push(new Worker(results.name, async () => undefined, { connection, concurrency: 8 }));
  }
  consumers.at(-1)!.on('completed', complete);
  for (const w of consumers) {
    w.on('failed', (_job, err) => {
      throw err;
    });
    await w.waitUntilReady();
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.producers }, async () => {
      while (next < opts.jobs) {
        const i = next++;
        const data = { ...(await opts.prepare?.(i)), i };
        await queue.add('job', data, { removeOnComplete: { count: 1000 } });
      }
    }),
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  for (const w of consumers) await w.close();
  for (const q of [queue, results]) {
    await q.obliterate({ force: true });
    await q.close();
  }
  connection.disconnect();
  return opts.jobs / seconds;
}
