import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '@dg/inference';

export interface BareSessions {
  embed: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

const i64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);

function emptyPast(cfg: ModelConfig): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < cfg.numLayers; i++) {
    for (const kv of ['key', 'value']) {
      past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
        1,
        cfg.numKvHeads,
        0,
        cfg.headDim,
      ]);
    }
  }
  return past;
}

function argmaxLast(t: ort.Tensor): number {
  const [, s, v] = t.dims as number[];
  const d = t.data as Float32Array;
  let best = 0;
  for (let i = 1, base = (s! - 1) * v!; i < v!; i++) if (d[base + i]! > d[base + best]!) best = i;
  return best;
}

/** The baseline: the same greedy steps written as plainly as onnxruntime-node allows. */
export async function bareGreedy(s: BareSessions, cfg: ModelConfig, ids: number[], steps: number): Promise<number[]> {
  const out: number[] = [];
  let embeds = (await s.embed.run({ input_ids: i64(ids, [1, ids.length]) }))['inputs_embeds']!;
  const past = emptyPast(cfg);
  let length = 0;
  for (let step = 0; step < steps; step++) {
    const n = embeds.dims[1]!;
    const r = await s.decoder.run({
      inputs_embeds: embeds,
      attention_mask: i64(new Array(length + n).fill(1), [1, length + n]),
      position_ids: i64(
        Array.from({ length: n }, (_, i) => length + i),
        [1, n],
      ),
      ...past,
    });
    length += n;
    const next = argmaxLast(r['logits']!);
    out.push(next);
    for (let i = 0; i < cfg.numLayers; i++) {
      past[`past_key_values.${i}.key`] = r[`present.${i}.key`]!;
      past[`past_key_values.${i}.value`] = r[`present.${i}.value`]!;
    }
    embeds = (await s.embed.run({ input_ids: i64([next], [1, 1]) }))['inputs_embeds']!;
  }
  return out;
}

/**
 * Median time of one single-token decoder step on top of a real cache of `position` tokens (made by
 * a prefill of that length), so the figure shows what a growing cache costs per step.
 */
export async function decodeStepMs(s: BareSessions, cfg: ModelConfig, position: number, reps: number): Promise<number> {
  const ids = Array.from({ length: position }, (_, i) => 1000 + (i % 500));
  const embeds = (await s.embed.run({ input_ids: i64(ids, [1, position]) }))['inputs_embeds']!;
  const r = await s.decoder.run({
    inputs_embeds: embeds,
    attention_mask: i64(new Array(position).fill(1), [1, position]),
    position_ids: i64(
      ids.map((_, i) => i),
      [1, position],
    ),
    ...emptyPast(cfg),
  });
  const past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < cfg.numLayers; i++) {
    past[`past_key_values.${i}.key`] = r[`present.${i}.key`]!;
    past[`past_key_values.${i}.value`] = r[`present.${i}.value`]!;
  }
  const one = (await s.embed.run({ input_ids: i64([1234], [1, 1]) }))['inputs_embeds']!;
  const mask = i64(new Array(position + 1).fill(1), [1, position + 1]);
  const pos = i64([position], [1, 1]);
  const times: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    await s.decoder.run({ inputs_embeds: one, attention_mask: mask, position_ids: pos, ...past });
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}
