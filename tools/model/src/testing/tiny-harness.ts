// A minimal, engine-independent greedy decoder over the three ONNX graphs, straight on
// onnxruntime-node. The spec uses it to prove the tiny model behaves like a real KV-cached decoder;
// it is also a compact reference for how the graphs fit together (Gemma3Processor-style prompt
// expansion, image-feature merge, 1-based position_ids from the attention mask, cache threading).
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { SPECIAL, TINY } from '../tiny-config';

export interface TinySessions {
  vision: ort.InferenceSession;
  embed: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

export async function loadSessions(dir: string): Promise<TinySessions> {
  const open = (name: string) => ort.InferenceSession.create(join(dir, 'onnx', name), { executionProviders: ['cpu'] });
  const [vision, embed, decoder] = await Promise.all([
    open('vision_encoder.onnx'),
    open('embed_tokens.onnx'),
    open('decoder_model_merged.onnx'),
  ]);
  return { vision, embed, decoder };
}

/** What Gemma3Processor does to a prompt that contains <start_of_image>. */
export function expandImagePlaceholder(prompt: string): string {
  const soft = '<image_soft_token>'.repeat(TINY.tokensPerImage);
  return prompt.replaceAll('<start_of_image>', `\n\n<start_of_image>${soft}<end_of_image>\n\n`);
}

/** A [1,3,896,896] pixel tensor in [-1,1] from a per-pixel function (already "normalized"). */
export function syntheticPixels(f: (c: number, y: number, x: number) => number): Float32Array {
  const n = TINY.imageSize;
  const out = new Float32Array(3 * n * n);
  for (let c = 0; c < 3; c += 1)
    for (let y = 0; y < n; y += 1) for (let x = 0; x < n; x += 1) out[(c * n + y) * n + x] = f(c, y, x);
  return out;
}

export async function imageFeatures(s: TinySessions, pixels: Float32Array): Promise<Float32Array> {
  const n = TINY.imageSize;
  const out = await s.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, n, n]) });
  return out['image_features'].data as Float32Array;
}

/** Embeds one row of ids; image soft tokens take the rows of `image` in order, as in transformers.js. */
export async function embedRow(s: TinySessions, ids: number[], image?: Float32Array): Promise<Float32Array> {
  const tensor = new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const embeds = (await s.embed.run({ input_ids: tensor }))['inputs_embeds'].data as Float32Array;
  const H = TINY.hidden;
  let next = 0;
  ids.forEach((id, pos) => {
    if (id !== SPECIAL.image) return;
    if (!image) throw new Error('prompt has image tokens but no image features');
    embeds.set(image.subarray(next * H, (next + 1) * H), pos * H);
    next += 1;
  });
  return embeds;
}

export type CacheMode = 'cache' | 'no-cache' | 'zeroed-cache' | 'garbled-cache';

export interface DecodeResult {
  tokens: number[][];
  prefillMs: number;
  stepMs: number[];
}

/**
 * Greedy decoding of a left-padded batch. `rows[b]` are the prompt embeddings ([len_b * H]).
 * 'no-cache' re-runs the whole sequence at every step; the two broken modes tamper with the cache
 * after prefill to show that it matters.
 */
export async function greedy(
  s: TinySessions,
  rows: Float32Array[],
  maxNew: number,
  mode: CacheMode = 'cache',
): Promise<DecodeResult> {
  const H = TINY.hidden;
  const B = rows.length;
  const lens = rows.map((r) => r.length / H);
  const S0 = Math.max(...lens);
  // Sequence state: padded embeddings and mask grow by one column per step.
  let seq: Float32Array[] = rows.map((r, b) => {
    const padded = new Float32Array(S0 * H);
    padded.set(r, (S0 - lens[b]) * H);
    return padded;
  });
  let mask = rows.map((_, b) => Array.from({ length: S0 }, (_, j) => (j >= S0 - lens[b] ? 1 : 0)));
  let past = emptyCache(B);
  const tokens: number[][] = rows.map(() => []);
  const stepMs: number[] = [];
  let prefillMs = 0;
  let newEmbeds: Float32Array[] = seq;
  for (let step = 0; step < maxNew; step += 1) {
    const full = mode === 'no-cache' || step === 0;
    const inputs = full ? seq : newEmbeds;
    const S = inputs[0].length / H;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', concat(inputs), [B, S, H]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat().map(BigInt)), [B, mask[0].length]),
      position_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(mask.flatMap((m) => positionIds(m).slice(-S)).map(BigInt)),
        [B, S],
      ),
      ...(full ? emptyCache(B) : past),
    };
    const t0 = performance.now();
    const out = await s.decoder.run(feeds);
    const ms = performance.now() - t0;
    if (step === 0) prefillMs = ms;
    else stepMs.push(ms);
    past = presentToPast(out, mode, step === 0);

    const logits = out['logits'].data as Float32Array;
    const next = rows.map((_, b) => argmax(logits, (b * S + S - 1) * TINY.vocab, TINY.vocab));
    next.forEach((t, b) => tokens[b].push(t));
    const embedded = await Promise.all(next.map((t) => embedRow(s, [t])));
    newEmbeds = embedded;
    seq = seq.map((r, b) => concat([r, embedded[b]]));
    mask = mask.map((m) => [...m, 1]);
  }
  return { tokens, prefillMs, stepMs };
}

/** transformers.js convention for Gemma 3: cumsum(mask) starting at 1; padding gets 1. */
export function positionIds(mask: number[]): number[] {
  let next = 1;
  return mask.map((m) => (m ? next++ : 1));
}

function emptyCache(B: number): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let i = 0; i < TINY.layers; i += 1)
    for (const kv of ['key', 'value'])
      cache[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
        B,
        TINY.kvHeads,
        0,
        TINY.headDim,
      ]);
  return cache;
}

function presentToPast(
  out: ort.InferenceSession.ReturnType,
  mode: CacheMode,
  afterPrefill: boolean,
): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < TINY.layers; i += 1)
    for (const kv of ['key', 'value']) {
      const t = out[`present.${i}.${kv}`];
      let data = t.data as Float32Array;
      if (afterPrefill && mode === 'zeroed-cache') data = new Float32Array(data.length);
      if (afterPrefill && mode === 'garbled-cache') data = data.map((v, j) => (j % 7 === 3 ? -v : v));
      past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', data, t.dims);
    }
  return past;
}

function argmax(data: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j += 1) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
