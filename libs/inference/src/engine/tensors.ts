import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../model/model-config';

export function int64Tensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(values as number[], (v) => BigInt(v)),
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

/** The decoder's present outputs, renamed as the next step's past inputs. */
export function presentToPast(out: ort.InferenceSession.OnnxValueMapType, layers: number): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < layers; i++) {
    past[`past_key_values.${i}.key`] = out[`present.${i}.key`] as ort.Tensor;
    past[`past_key_values.${i}.value`] = out[`present.${i}.value`] as ort.Tensor;
  }
  return past;
}

/** Frees cache tensors that live on the GPU; host tensors are left to the garbage collector. */
export function releaseDeviceTensors(tensors: Record<string, ort.Tensor>): void {
  for (const t of Object.values(tensors)) if (t.location === 'gpu-buffer') t.dispose();
}

/** Repeats a batch-1 cache `times` times along the batch axis (candidate scoring shares one prompt). */
export async function tileCache(past: Record<string, ort.Tensor>, times: number): Promise<Record<string, ort.Tensor>> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(past)) {
    // getData() also brings a device-resident cache to the host; tiling happens once per scoring.
    const src = (t.location === 'cpu' ? t.data : await t.getData()) as Float32Array;
    const data = new Float32Array(src.length * times);
    for (let i = 0; i < times; i++) data.set(src, i * src.length);
    out[name] = new ort.Tensor('float32', data, [times, ...t.dims.slice(1)]);
  }
  return out;
}

/** Offset of position `pos` of row `row` in logits [B, S, V]. */
export function logitsOffset(logits: ort.Tensor, row: number, pos: number): number {
  const [, s, v] = logits.dims as [number, number, number];
  return (row * s + pos) * v;
}

/** Greedy choice: the highest-scoring id at one position of one row. */
export function argmaxAt(logits: ort.Tensor, row: number, pos: number): number {
  const v = logits.dims[2]!;
  const data = logits.data as Float32Array;
  const base = logitsOffset(logits, row, pos);
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

/** log softmax(logits[row, pos])[id], computed stably over the whole vocabulary. */
export function logProbAt(logits: ort.Tensor, row: number, pos: number, id: number): number {
  const v = logits.dims[2]!;
  const data = logits.data as Float32Array;
  const base = logitsOffset(logits, row, pos);
  let max = -Infinity;
  for (let i = 0; i < v; i++) max = Math.max(max, data[base + i]!);
  let sum = 0;
  for (let i = 0; i < v; i++) sum += Math.exp(data[base + i]! - max);
  return data[base + id]! - max - Math.log(sum);
}
