import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

/**
 * The baseline: a bare BullMQ queue and worker on the same Redis, `producers` clients adding jobs
 * one by one while a worker with `concurrency` runs `work` on each. Nothing else: no HTTP, no
 * Postgres, no outbox, no results queue. Returns jobs per second from the first add to the last
 * completion.
 */
export async function bareLoop(opts: {
  redisUrl: string;
  jobs: number;
  producers: number;
  concurrency: number;
  /** Producer-side work before each add (a row written first, as a real producer would). */
  prepare?: (i: number) => Promise<Record<string, unknown>>;
  work: (i: number, data: Record<string, unknown>) => Promise<unknown>;
}): Promise<number> {
  const connection = new IORedis(opts.redisUrl, { maxRetriesPerRequest: null });
  const name = `bare-${Date.now()}`;
  const queue = new Queue(name, { connection });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker(name, async (job) => opts.work(job.data.i as number, job.data as Record<string, unknown>), {
    connection,
    concurrency: opts.concurrency,
    removeOnComplete: { count: 1000 },
  });
  worker.on('completed', () => {
    if (++done === opts.jobs) finish();
  });
  worker.on('failed', (_job, err) => {
    throw err;
  });
  await worker.waitUntilReady();
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
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return opts.jobs / seconds;
}
