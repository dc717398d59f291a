import type { QueueConfig } from '@dg/config';
import { testEnv, uniqueName } from '@dg/testing';
import { queueConnection } from './connection';
import { JobConsumer } from './consumer';
import { PermanentJobError } from './errors';
import { JobProducer } from './producer';

const started = (assessmentId: string) => ({
  assessmentId,
  tenantId: '11111111-1111-4111-8111-111111111111' as never,
  startedAt: new Date().toISOString(),
  worker: 'spec',
});

// The same behaviour on both backends: Redis (production) and PostgreSQL (zero-install local start).
const backends: [string, () => QueueConfig][] = [
  [
    'redis',
    () => ({
      QUEUE_BACKEND: 'redis',
      REDIS_URL: testEnv().REDIS_URL,
      QUEUE_PREFIX: uniqueName('q').replace(/-/g, '_'),
    }),
  ],
  [
    'postgres',
    () => ({
      QUEUE_BACKEND: 'postgres',
      DATABASE_URL: testEnv().DATABASE_URL,
      QUEUE_PREFIX: uniqueName('q').replace(/-/g, '_'),
    }),
  ],
];

describe.each(backends)('job catalogue on %s', (_name, config) => {
  const closers: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!.close();
  });

  it('delivers a valid job to its handler once, even when added twice with the same id', async () => {
    const conn = queueConnection(config());
    const producer = new JobProducer('results', conn);
    closers.push(producer);
    const seen: string[] = [];
    let resolveDone: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const consumer = new JobConsumer(
      'results',
      conn,
      {
        'assessment.started': async (p) => {
          seen.push(p.assessmentId);
          resolveDone();
        },
        'assessment.completed': async () => undefined,
        'assessment.failed': async () => undefined,
      },
      { concurrency: 2 },
    );
    closers.push(consumer);
    const id = '22222222-2222-4222-8222-222222222222';
    await producer.add('assessment.started', started(id), { jobId: 'same' });
    await producer.add('assessment.started', started(id), { jobId: 'same' });
    consumer.start();
    await done;
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([id]);
  });

  it('refuses a payload that breaks the contract before it reaches the queue', async () => {
    const producer = new JobProducer('results', queueConnection(config()));
    closers.push(producer);
    await expect(
      producer.add('assessment.started', { assessmentId: 'nope' } as never, { jobId: 'x' }),
    ).rejects.toThrow();
    expect(await producer.backlog()).toBe(0);
  });

  it('fails a permanent error at once instead of retrying it', async () => {
    const conn = queueConnection(config());
    const producer = new JobProducer('results', conn, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    closers.push(producer);
    let calls = 0;
    const failed = new Promise<string>((resolve) => {
      const consumer = new JobConsumer(
        'results',
        conn,
        {
          'assessment.started': async () => {
            calls++;
            throw new PermanentJobError('unreadable image');
          },
          'assessment.completed': async () => undefined,
          'assessment.failed': async () => undefined,
        },
        { concurrency: 1, onFailed: (_job, err) => resolve(err.message) },
      );
      closers.push(consumer);
      consumer.start();
    });
    await producer.add('assessment.started', started('33333333-3333-4333-8333-333333333333'), { jobId: 'p' });
    expect(await failed).toBe('unreadable image');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
  });

  it('refuses to build a consumer that lacks a handler', () => {
    expect(
      () =>
        new JobConsumer(
          'results',
          queueConnection(config()),
          { 'assessment.started': async () => undefined } as never,
          { concurrency: 1 },
        ),
    ).toThrow(/no handler for assessment.completed, assessment.failed/);
  });
});
