import * as ort from 'onnxruntime-node';
import { embedIds, imageFeatures, mergeImageFeatures, type ModelSessions } from './sessions';
import { argmaxAt, emptyCache, int64Tensor, presentToPast, releaseDeviceTensors } from './tensors';

/** One request, tokenized and checked, ready to share a batch. */
export interface PreparedRow {
  ids: number[];
  pixelValues?: Float32Array;
  maxNewTokens: number;
  stopTokenIds: Set<number>;
}

export interface RowOutcome {
  tokenIds: number[];
  stopReason: 'stop-token' | 'max-new-tokens';
  promptTokens: number;
  timeToFirstTokenMs: number;
  visionMs: number;
  totalMs: number;
}

/**
 * Greedy decoding of several prompts as one batch. Prompts are left-padded to a common length with
 * the attention mask zero on the padding and position ids counted from each row's first real token,
 * so every row computes exactly what it would alone; finished rows ride along until the last one
 * ends (their extra tokens are discarded).
 */
export async function generateBatch(s: ModelSessions, rows: PreparedRow[]): Promise<RowOutcome[]> {
  const cfg = s.config;
  const started = performance.now();
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.ids.length));
  const H = cfg.hiddenSize;

  const ids = new Array<number>(B * S).fill(cfg.padTokenId);
  const mask = new Array<number>(B * S).fill(0);
  const positions = new Array<number>(B * S).fill(0);
  rows.forEach((row, r) => {
    const offset = S - row.ids.length;
    row.ids.forEach((id, i) => {
      ids[r * S + offset + i] = id;
      mask[r * S + offset + i] = 1;
      positions[r * S + offset + i] = i;
    });
  });

  const embeds = await embedIds(s, ids, B);
  const visionStarted = performance.now();
  const withImage = rows.map((row, r) => (row.pixelValues ? r : -1)).filter((r) => r >= 0);
  if (withImage.length) {
    const features = await imageFeatures(
      s,
      withImage.map((r) => rows[r]!.pixelValues!),
    );
    withImage.forEach((r, k) => mergeImageFeatures(cfg, embeds, ids, features, { start: r * S, length: S, image: k }));
  }
  const visionMs = withImage.length ? performance.now() - visionStarted : 0;

  const outcomes: RowOutcome[] = rows.map((row) => ({
    tokenIds: [],
    stopReason: 'max-new-tokens',
    promptTokens: row.ids.length,
    timeToFirstTokenMs: 0,
    visionMs,
    totalMs: 0,
  }));
  const active = rows.map((row) => row.maxNewTokens > 0);
  const nextPos = rows.map((row) => row.ids.length);
  const maxSteps = Math.max(...rows.map((r) => r.maxNewTokens));

  let attention = mask;
  let inputs = new ort.Tensor('float32', embeds, [B, S, H]);
  let pos = positions;
  let past = emptyCache(cfg, B);
  for (let step = 0; step < maxSteps && active.some(Boolean); step++) {
    const seq = inputs.dims[1]!;
    const out = await s.decoder.run({
      inputs_embeds: inputs,
      attention_mask: int64Tensor(attention, [B, attention.length / B]),
      position_ids: int64Tensor(pos, [B, seq]),
      ...past,
    });
    const logits = out['logits'] as ort.Tensor;
    const chosen = rows.map((_, r) => argmaxAt(logits, r, seq - 1));
    const now = performance.now();
    rows.forEach((row, r) => {
      if (!active[r]) return;
      if (step === 0) outcomes[r]!.timeToFirstTokenMs = now - started;
      if (row.stopTokenIds.has(chosen[r]!)) {
        outcomes[r]!.stopReason = 'stop-token';
        active[r] = false;
      } else {
        outcomes[r]!.tokenIds.push(chosen[r]!);
        if (outcomes[r]!.tokenIds.length >= row.maxNewTokens) active[r] = false;
      }
      if (!active[r]) outcomes[r]!.totalMs = now - started;
    });
    releaseDeviceTensors(past);
    past = presentToPast(out, cfg.numLayers);
    if (!active.some(Boolean)) break;
    inputs = new ort.Tensor('float32', await embedIds(s, chosen, B), [B, 1, H]);
    attention = appendColumn(attention, B, 1);
    pos = nextPos.map((p) => p);
    nextPos.forEach((p, r) => (nextPos[r] = p + 1));
  }
  releaseDeviceTensors(past);
  return outcomes;
}

/** [B, T] row-major mask -> [B, T + 1] with `value` appended to each row. */
function appendColumn(mask: number[], batch: number, value: number): number[] {
  const t = mask.length / batch;
  const out = new Array<number>(batch * (t + 1));
  for (let r = 0; r < batch; r++) {
    for (let i = 0; i < t; i++) out[r * (t + 1) + i] = mask[r * t + i]!;
    out[r * (t + 1) + t] = value;
  }
  return out;
}

/**
 * The reference the cache is checked against: at every step the whole sequence so far is run
 * again with no cache at all. Quadratic, for tests and benchmarks only.
 */
export async function generateWithoutCache(s: ModelSessions, row: PreparedRow): Promise<number[]> {
  const cfg = s.config;
  const H = cfg.hiddenSize;
  const seq = [...row.ids];
  const generated: number[] = [];
  const features = row.pixelValues ? await imageFeatures(s, [row.pixelValues]) : undefined;
  for (let step = 0; step < row.maxNewTokens; step++) {
    const embeds = await embedIds(s, seq, 1);
    if (features) mergeImageFeatures(cfg, embeds, seq, features);
    const out = await s.decoder.run({
      inputs_embeds: new ort.Tensor('float32', embeds, [1, seq.length, H]),
      attention_mask: int64Tensor(new Array(seq.length).fill(1), [1, seq.length]),
      position_ids: int64Tensor(
        seq.map((_, i) => i),
        [1, seq.length],
      ),
      ...emptyCache(cfg, 1),
    });
    const next = argmaxAt(out['logits'] as ort.Tensor, 0, seq.length - 1);
    if (row.stopTokenIds.has(next)) break;
    generated.push(next);
    seq.push(next);
  }
  return generated;
}
