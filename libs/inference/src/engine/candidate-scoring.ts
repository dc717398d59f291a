import * as ort from 'onnxruntime-node';
import { embedIds, imageFeatures, mergeImageFeatures, type ModelSessions } from './sessions';
import { emptyCache, int64Tensor, logProbAt, presentToPast, releaseDeviceTensors, tileCache } from './tensors';

export interface CandidateScore {
  candidate: string;
  tokenIds: number[];
  /** log P(candidate | prompt): the sum of its tokens' log-probabilities. */
  logProb: number;
  /** Share of the candidates' total probability: a normalized distribution over the list. */
  probability: number;
}

/**
 * Scores each candidate answer as a continuation of one prompt. The prompt is run once; its KV cache
 * is then repeated for every candidate, and all candidates go through the decoder together as one
 * batch (right-padded: padding after a candidate cannot change its earlier tokens' scores).
 */
export async function scoreCandidates(
  s: ModelSessions,
  prompt: { ids: number[]; pixelValues?: Float32Array },
  candidates: { text: string; ids: number[] }[],
): Promise<CandidateScore[]> {
  const cfg = s.config;
  const H = cfg.hiddenSize;
  if (!candidates.length) throw new Error('no candidates to score');
  const empty = candidates.find((c) => c.ids.length === 0);
  if (empty) throw new Error(`candidate ${JSON.stringify(empty.text)} has no tokens`);

  const P = prompt.ids.length;
  const embeds = await embedIds(s, prompt.ids, 1);
  if (prompt.pixelValues) mergeImageFeatures(cfg, embeds, prompt.ids, await imageFeatures(s, [prompt.pixelValues]));
  const prefill = await s.decoder.run({
    inputs_embeds: new ort.Tensor('float32', embeds, [1, P, H]),
    attention_mask: int64Tensor(new Array(P).fill(1), [1, P]),
    position_ids: int64Tensor(
      prompt.ids.map((_, i) => i),
      [1, P],
    ),
    ...emptyCache(cfg, 1),
  });
  const promptLogits = prefill['logits'] as ort.Tensor;

  const C = candidates.length;
  const L = Math.max(...candidates.map((c) => c.ids.length));
  const ids = new Array<number>(C * L).fill(cfg.padTokenId);
  const mask = new Array<number>(C * (P + L)).fill(0);
  candidates.forEach((c, r) => {
    c.ids.forEach((id, i) => (ids[r * L + i] = id));
    for (let i = 0; i < P + c.ids.length; i++) mask[r * (P + L) + i] = 1;
  });
  const positions = Array.from({ length: C * L }, (_, i) => P + (i % L));
  const promptCache = presentToPast(prefill, cfg.numLayers);
  const tiled = await tileCache(promptCache, C);
  releaseDeviceTensors(promptCache);
  const out = await s.decoder.run({
    inputs_embeds: new ort.Tensor('float32', await embedIds(s, ids, C), [C, L, H]),
    attention_mask: int64Tensor(mask, [C, P + L]),
    position_ids: int64Tensor(positions, [C, L]),
    ...tiled,
  });
  releaseDeviceTensors(presentToPast(out, cfg.numLayers));
  const logits = out['logits'] as ort.Tensor;

  const logProbs = candidates.map((c, r) =>
    c.ids.reduce(
      (sum, id, k) => sum + (k === 0 ? logProbAt(promptLogits, 0, P - 1, id) : logProbAt(logits, r, k - 1, id)),
      0,
    ),
  );
  const max = Math.max(...logProbs);
  const weights = logProbs.map((lp) => Math.exp(lp - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return candidates.map((c, r) => ({
    candidate: c.text,
    tokenIds: c.ids,
    logProb: logProbs[r]!,
    probability: weights[r]! / total,
  }));
}
