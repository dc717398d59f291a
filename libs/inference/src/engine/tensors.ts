import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../model/model-config';

export function int64Tensor(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    dims,
  );
}

/** The first step's cache: every layer's K and V with zero past positions. */
export function emptyCache(cfg: ModelConfig, batch = 1): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  const dims = [batch, cfg.numKvHeads, 0, cfg.headDim];
  for (let i = 0; i < cfg.numLayers; i++) {
    past[`past_key_values.${i}.key`] = new ort.Tensor('float32', new Float32Array(0), dims);
    past[`past_key_values.${i}.value`] = new ort.Tensor('float32', new Float32Array(0), dims);
  }
  return past;
}

/** Greedy choice from logits [1, S, V]: the highest-scoring id of the last position. */
export function argmaxLastRow(logits: ort.Tensor): number {
  const [, s, v] = logits.dims as [number, number, number];
  const data = logits.data as Float32Array;
  const base = (s - 1) * v;
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < v; i++) {
    const x = data[base + i]!;
    if (x > bestScore) {
      bestScore = x;
      best = i;
    }
  }
  return best;
}
