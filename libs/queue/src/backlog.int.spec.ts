import { testEnv, uniqueName } from '@dg/testing';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { LaneBacklog } from './backlog';
import { queueConnection } from './connection';
import { JobProducer } from './producer';
import { ScaleController } from './scale.controller';

const job = (n: number, lane: 'interactive' | 'batch') => ({
  assessmentId: `0000000${n}-1111-4111-8111-111111111111`,
  tenantId: '22222222-2222-4222-8222-222222222222' as never,
  task: 'case-analysis' as const,
  input: { kind: 'text' as const, caseText: {} },
  lane,
});

describe('LaneBacklog', () => {
  it('counts waiting, prioritized and delayed jobs per lane, and exports them as a gauge', async () => {
    const conn = queueConnection({
      QUEUE_BACKEND: 'redis',
      REDIS_URL: testEnv().REDIS_URL,
      QUEUE_PREFIX: uniqueName('bk'),
    });
    const interactive = new JobProducer('inference', conn);
    const batch = new JobProducer('inference-batch', conn);
    await interactive.add('assessment.run', job(1, 'interactive'), { jobId: 'i1' });
    await interactive.add('assessment.run', job(2, 'interactive'), { jobId: 'i2', priority: 3 });
    for (let n = 3; n < 6; n++) await batch.add('assessment.run', job(n, 'batch'), { jobId: `b${n}`, priority: n });
    // A retry waiting out its backoff is delayed: still backlog, though no list holds it.
    const raw = new Queue('inference-batch', { connection: conn.connection as never, prefix: conn.prefix });
    await raw.add('assessment.run', job(6, 'batch'), { jobId: 'b6', delay: 60_000 });
    expect(await raw.getJobState('b6')).toBe('delayed');
    const backlog = new LaneBacklog(conn);
    expect(await backlog.all()).toEqual({ interactive: 2, batch: 4 });

    // KEDA's metrics-api endpoint reads the same figures.
    const scale = new ScaleController(backlog);
    expect(await scale.get()).toEqual({ backlog: 6, lanes: { interactive: 2, batch: 4 } });
    expect(await scale.get('batch')).toEqual({ lane: 'batch', backlog: 4 });
    await expect(scale.get('urgent')).rejects.toMatchObject({ status: 400 });

    const registry = new Registry();
    backlog.register(registry);
    const text = await registry.metrics();
    expect(text).toContain('dentalgemma_queue_backlog{lane="interactive"} 2');
    expect(text).toContain('dentalgemma_queue_backlog{lane="batch"} 4');
    await Promise.all([backlog.close(), interactive.close(), batch.close(), raw.close()]);
  });
});
