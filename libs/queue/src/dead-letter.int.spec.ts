import { testEnv, uniqueName } from '@dg/testing';
import { Queue } from 'bullmq';
import { queueConnection } from './connection';
import { JobConsumer } from './consumer';
import { DeadLetterQueue } from './dead-letter';
import { JobProducer } from './producer';

const runJob = (n: number) => ({
  assessmentId: `0000000${n}-1111-4111-8111-111111111111`,
  tenantId: '22222222-2222-4222-8222-222222222222' as never,
  task: 'case-analysis' as const,
  input: { kind: 'text' as const, caseText: {} },
  lane: 'batch' as const,
});

describe('dead letters and draining (Redis)', () => {
  const conn = () =>
    queueConnection({ QUEUE_BACKEND: 'redis', REDIS_URL: testEnv().REDIS_URL, QUEUE_PREFIX: uniqueName('dl') });

  it('parks a job that used up its attempts, lists it, retries it into its lane, discards another', async () => {
    const c = conn();
    const batch = new JobProducer('inference-batch', c, { attempts: 2, backoff: { type: 'fixed', delay: 5 } });
    const dead = new DeadLetterQueue(c);
    let attempts = 0;
    let consumer!: JobConsumer<'inference-batch'>;
    const buried = new Promise<void>((resolve) => {
      consumer = new JobConsumer(
        'inference-batch',
        c,
        {
          'assessment.run': async (p) => {
            attempts++;
            if (p.assessmentId.startsWith('00000001') || p.assessmentId.startsWith('00000002'))
              throw new Error('GPU fell off the bus');
          },
        },
        {
          concurrency: 1,
          onFailed: (job, err) => {
            if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
              void dead
                .bury(job, err.message)
                .then(async () => ((await dead.list()).length === 2 ? resolve() : undefined));
          },
        },
      );
      consumer.start();
    });
    await batch.add('assessment.run', runJob(1), { jobId: 'a1' });
    await batch.add('assessment.run', runJob(2), { jobId: 'a2' });
    await buried;
    expect(attempts).toBe(4);

    const listed = await dead.list();
    expect(listed.map((d) => d.sourceJobId).sort()).toEqual(['a1', 'a2']);
    expect(listed[0]).toMatchObject({ sourceQueue: 'inference-batch', attempts: 2, error: 'GPU fell off the bus' });
    const one = listed.find((d) => d.sourceJobId === 'a1')!;
    expect(await dead.get(one.id)).toMatchObject({ job: { assessmentId: runJob(1).assessmentId } });

    const requeued: string[] = [];
    expect(
      await dead.retry(
        one.id,
        async (lane, job, jobId) => void requeued.push(`${lane}:${job.assessmentId}:${jobId.split('.retry.')[0]}`),
      ),
    ).toBe(true);
    expect(requeued).toEqual([`batch:${runJob(1).assessmentId}:${runJob(1).assessmentId}`]);
    const other = listed.find((d) => d.sourceJobId === 'a2')!;
    expect(await dead.discard(other.id)).toBe(true);
    expect(await dead.list()).toEqual([]);
    expect(await dead.discard(other.id)).toBe(false);
    await Promise.all([consumer.close(), batch.close(), dead.close()]);
  });

  it("lists one tenant's dead jobs past a page of other tenants' and says which jobs it holds", async () => {
    const dead = new DeadLetterQueue(conn());
    const bury = (n: number, tenantId: string) =>
      dead.bury(
        { data: { ...runJob(1), tenantId }, queueName: 'inference', id: `j${n}`, attemptsMade: 3 } as never,
        'boom',
      );
    const [a, b] = ['33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444'];
    for (let n = 0; n < 600; n++) await bury(n, a);
    await bury(600, b);
    await bury(601, b);
    const mine = await dead.list(1000, (d) => d.job.tenantId === b);
    expect(mine.map((d) => d.sourceJobId)).toEqual(['j600', 'j601']);
    expect(await dead.list(10, (d) => d.job.tenantId === a)).toHaveLength(10);
    expect([await dead.holds('inference', 'j600'), await dead.holds('inference', 'j999')]).toEqual([true, false]);
    await dead.close();
  });

  it('drains in-flight jobs on close, and releases them when the grace period runs out', async () => {
    const c = conn();
    const producer = new JobProducer('inference', c);
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const consumer = new JobConsumer(
      'inference',
      c,
      { 'assessment.run': () => (started(), new Promise(() => undefined)) },
      { concurrency: 1, lockDurationMs: 1000 },
    );
    consumer.start();
    await producer.add('assessment.run', runJob(3), { jobId: 'stuck' });
    await running;
    const outcome = await consumer.close(100);
    expect(outcome).toBe('released');
    // The job was not lost: it is still active (its lock lapses and a live worker takes it over).
    const q = new Queue('inference', { connection: c.connection as never, prefix: c.prefix });
    expect(await q.getJobCounts('active', 'wait', 'completed')).toMatchObject({ completed: 0 });
    expect((await q.getJob('stuck'))?.finishedOn).toBeUndefined();
    await Promise.all([q.close(), producer.close()]);
  });
});
