import type { InferenceEngine } from '@dg/inference';
import { Registry } from 'prom-client';
import { ModelService } from './model.service';

// The engine is behind its port here: this spec is about the lifecycle, not inference.
const fakeEngine = (): InferenceEngine => ({
  info: {
    modelId: 'm',
    weightsDigest: `sha256:${'0'.repeat(64)}`,
    variant: 'fp32',
    executionProvider: 'cpu',
    loadMs: 1,
    imageSize: 896,
  },
  generate: jest.fn(),
  scoreCandidates: jest.fn(),
  dispose: jest.fn(async () => undefined),
});

describe('ModelService', () => {
  it('is not ready until the model has loaded, then loads it only once', async () => {
    let finish!: (e: InferenceEngine) => void;
    const factory = jest.fn(() => new Promise<InferenceEngine>((r) => (finish = r)));
    const model = new ModelService(factory);
    const first = model.load();
    const second = model.load();
    await expect(model.check()).rejects.toThrow(/loading/);
    expect(() => model.get()).toThrow(/not loaded/);
    const engine = fakeEngine();
    finish(engine);
    await Promise.all([first, second]);
    expect(factory).toHaveBeenCalledTimes(1);
    await expect(model.check()).resolves.toBeUndefined();
    expect(model.get()).toBe(engine);
    await model.onApplicationShutdown();
    expect(engine.dispose).toHaveBeenCalled();
  });

  it('says on /metrics which model runs where (a GPU worker fallen back to CPU shows)', async () => {
    const registry = new Registry();
    const engine = fakeEngine();
    await new ModelService(async () => engine, registry).load();
    const text = await registry.metrics();
    expect(text).toContain(
      `dentalgemma_engine_info{model_id="m",variant="fp32",weights_digest="sha256:${'0'.repeat(64)}",execution_provider="cpu"} 1`,
    );
    expect(text).toMatch(/dentalgemma_engine_model_load_seconds 0\.001/);
  });

  it('reports why a model could not be loaded', async () => {
    const model = new ModelService(() => Promise.reject(new Error('onnx/decoder_model_merged.onnx missing')));
    await expect(model.load()).rejects.toThrow(/missing/);
    await expect(model.check()).rejects.toThrow(/decoder_model_merged/);
  });
});
