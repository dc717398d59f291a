import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EngineInfo, EngineObserver } from '@dg/inference';

/** The engine's figures on /metrics: what an operator sizes GPU workers by. */
export function engineMetrics(registry: Registry): EngineObserver & { modelLoaded(info: EngineInfo): void } {
  const ttft = new Histogram({
    name: 'dentalgemma_engine_time_to_first_token_seconds',
    help: 'From the start of a batch to the first generated token of each request (includes vision and prefill)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const decodeRate = new Histogram({
    name: 'dentalgemma_engine_decode_tokens_per_second',
    help: 'Tokens per second after the first, per request',
    buckets: [5, 10, 25, 50, 100, 200, 400, 800, 1600],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'dentalgemma_engine_batch_size',
    help: 'Requests per engine batch',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'dentalgemma_engine_queue_wait_seconds',
    help: 'Time a request waited in the dynamic batcher before its batch ran',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'dentalgemma_engine_generated_tokens_total',
    help: 'Tokens generated',
    registers: [registry],
  });
  const load = new Gauge({
    name: 'dentalgemma_engine_model_load_seconds',
    help: 'Time to verify and load the model at start',
    registers: [registry],
  });
  // 1 for the model this worker runs, labelled with where it runs: a GPU worker whose CUDA provider
  // failed to load falls back to CPU and stays ready, just slow; alert on execution_provider="cpu"
  // on GPU nodes.
  const info = new Gauge({
    name: 'dentalgemma_engine_info',
    help: 'The loaded model: id, variant, weights digest and the execution provider it runs on',
    labelNames: ['model_id', 'variant', 'weights_digest', 'execution_provider'],
    registers: [registry],
  });
  return {
    onBatch: (n) => batchSize.observe(n),
    onGeneration: (g) => {
      ttft.observe(g.timeToFirstTokenMs / 1000);
      queueWait.observe(g.queueWaitMs / 1000);
      tokens.inc(g.completionTokens);
      if (g.completionTokens > 1 && g.decodeMs > 0) decodeRate.observe((g.completionTokens - 1) / (g.decodeMs / 1000));
    },
    modelLoaded: (engine) => {
      load.set(engine.loadMs / 1000);
      info.set(
        {
          model_id: engine.modelId,
          variant: engine.variant,
          weights_digest: engine.weightsDigest,
          execution_provider: engine.executionProvider,
        },
        1,
      );
    },
  };
}
