// Attention for the tiny decoder: masks, RoPE, grouped-query attention over concat(past, new).
//
// Semantics match Gemma 3 where it matters to an engine:
// - keys are cached AFTER RoPE, so present.{i}.key = concat(past.{i}.key, rope(k_new)) on axis 2;
// - the mask combines causality (by cache index), the attention_mask (padding, any side) and, on
//   sliding layers, a window of TINY.slidingWindow; masked scores get -1e9 before the softmax, so
//   padding contributes exactly zero weight;
// - RoPE angles come only from position_ids, so absolute offsets cancel out in q.k.
//
// One deliberate addition, the "length counter" (last layer, query head COUNTER.queryHead): its q/k/v
// channels D-2 and D-1 are overwritten so it attends to the most recent <start_of_turn> token and reads
// back that token's position and a content scalar. The decoder turns "tokens since the model turn
// began" into the <end_of_turn>/<eos> score, so answers stop by themselves after a prompt-dependent
// length instead of immediately or never. The other query head sharing that KV head ignores those two
// channels, and the output projection drops them.
import { GraphBuilder } from './onnx-builder';
import { masked, slice, weight } from './procedural';
import { TINY } from './tiny-config';

const D = TINY.headDim;
const GROUP = TINY.heads / TINY.kvHeads;
const SCALING = TINY.queryPreAttnScalar ** -0.5;

export const COUNTER = {
  kvHead: TINY.kvHeads - 1,
  queryHead: TINY.heads - 1, // = kvHead * GROUP + GROUP - 1
  markerChannel: D - 2,
  positionChannel: D - 1,
  // Scores after scaling: a marker adds 1e5, each position step 2, so the latest marker wins outright.
  markerScore: 1e5,
  recencyScore: 2,
} as const;

export interface Masks {
  global: string; // additive bias [B,1,1,S,T]
  local: string;
}

/** Additive attention biases: 0 where a query may look at a key, -1e9 elsewhere. */
export function buildMasks(g: GraphBuilder, inputsEmbeds: string, attentionMask: string, pastKey0: string): Masks {
  const scalar = (x: string, axis: number) => g.op('Gather', [g.op('Shape', [x]), g.i(axis)], { axis: 0 });
  const S = scalar(inputsEmbeds, 1);
  const P = scalar(pastKey0, 2);
  const T = scalar(attentionMask, 1);
  const qIdx = g.op('Unsqueeze', [g.op('Range', [P, g.op('Add', [P, S]), g.i(1)]), g.iv([1])]); // [S,1]
  const kIdx = g.op('Unsqueeze', [g.op('Range', [g.i(0), T, g.i(1)]), g.iv([0])]); // [1,T]
  const causal = g.op('LessOrEqual', [kIdx, qIdx]); // [S,T]
  const inWindow = g.op('Less', [g.op('Sub', [qIdx, kIdx]), g.i(TINY.slidingWindow)]);
  const notPad = g.op('Unsqueeze', [g.op('Cast', [attentionMask], { to: 9 /* BOOL */ }), g.iv([1, 2, 3])]); // [B,1,1,1,T]
  const allowed = g.op('And', [notPad, causal]);
  const allowedLocal = g.op('And', [allowed, inWindow]);
  const bias = (a: string) => g.op('Where', [a, g.f(0), g.f(-1e9)], {}, 'mask_bias');
  return { global: bias(allowed), local: bias(allowedLocal) };
}

export interface Rope {
  cos: string; // [B,1,S,D]
  sin: string;
}

/** cos/sin tables from position_ids (float [B,S]) for a RoPE base, HF "rotate_half" layout. */
export function ropeTables(g: GraphBuilder, positions: string, theta: number): Rope {
  const invFreq = Array.from({ length: D / 2 }, (_, i) => theta ** ((-2 * i) / D));
  const angles = g.op('Mul', [g.op('Unsqueeze', [positions, g.iv([-1])]), g.floats([D / 2], invFreq)]);
  const emb = g.op('Unsqueeze', [g.op('Concat', [angles, angles], { axis: -1 }), g.iv([1])]);
  return { cos: g.op('Cos', [emb]), sin: g.op('Sin', [emb]) };
}

function applyRope(g: GraphBuilder, x: string, rope: Rope): string {
  const rotated = g.op('Concat', [g.op('Neg', [slice(g, x, 3, D / 2, D)]), slice(g, x, 3, 0, D / 2)], { axis: 3 });
  return g.op('Add', [g.op('Mul', [x, rope.cos]), g.op('Mul', [rotated, rope.sin])], {}, 'rope');
}

/** Projects [B,S,H] to heads [B,n,S,D]. */
function heads(g: GraphBuilder, x: string, w: string, n: number): string {
  const split = g.op('Reshape', [g.op('MatMul', [x, w]), g.iv([0, 0, n, D])]);
  return g.op('Transpose', [split], { perm: [0, 2, 1, 3] });
}

const onehot = (n: number, head: number, ch: number) =>
  Array.from({ length: n * D }, (_, j) => (j === head * D + ch ? 1 : 0));

export interface CounterInputs {
  isMarker: string; // float [B,1,S,1]
  position: string; // float [B,1,S,1]
}

export interface AttentionOut {
  out: string; // [B,S,H]
  presentKey: string;
  presentValue: string;
  counter?: string; // [B,S,2]: content scalar and position of the latest <start_of_turn>
}

export function attention(
  g: GraphBuilder,
  opts: {
    x: string;
    seed: number;
    bias: string;
    rope: Rope;
    pastKey: string;
    pastValue: string;
    counter?: CounterInputs;
  },
): AttentionOut {
  const { x, seed } = opts;
  const H = TINY.hidden;
  // Sharp-ish attention and a strong o_proj so the prompt's content, not just the chat template's
  // fixed tail, decides the first generated tokens.
  const qStd = 2 / Math.sqrt(H);
  let q = applyRope(g, heads(g, x, weight(g, [H, TINY.heads * D], seed + 1, qStd), TINY.heads), opts.rope);
  let k = applyRope(g, heads(g, x, weight(g, [H, TINY.kvHeads * D], seed + 2, qStd), TINY.kvHeads), opts.rope);
  let v = heads(g, x, weight(g, [H, TINY.kvHeads * D], seed + 3, 1 / Math.sqrt(H)), TINY.kvHeads);

  const c = opts.counter;
  if (c) {
    const { kvHead, queryHead, markerChannel: mc, positionChannel: pc } = COUNTER;
    const counterChannel = (ch: number) => ch === mc || ch === pc;
    const qKeep = Array.from({ length: TINY.heads * D }, (_, j) => {
      const h = Math.floor(j / D);
      if (h === queryHead) return 0;
      return Math.floor(h / GROUP) === kvHead && counterChannel(j % D) ? 0 : 1;
    });
    // The counter query: 1e5 per marker plus 2 per position step, after the usual score scaling.
    const qAdd = Array.from({ length: TINY.heads * D }, (_, j) => {
      if (j === queryHead * D + mc) return COUNTER.markerScore / SCALING;
      return j === queryHead * D + pc ? COUNTER.recencyScore / SCALING : 0;
    });
    const kvKeep = Array.from({ length: TINY.kvHeads * D }, (_, j) =>
      Math.floor(j / D) === kvHead && counterChannel(j % D) ? 0 : 1,
    );
    const shapeQ = [1, TINY.heads, 1, D];
    const shapeKV = [1, TINY.kvHeads, 1, D];
    const place = (value: string, ch: number) =>
      g.op('Mul', [value, g.floats(shapeKV, onehot(TINY.kvHeads, kvHead, ch))]);
    // The content scalar: a fixed projection of this layer's normalized input at each token.
    const content = g.op('Unsqueeze', [g.op('MatMul', [x, weight(g, [H, 1], seed + 9, 1 / Math.sqrt(H))]), g.iv([1])]);

    q = g.op('Add', [g.op('Mul', [q, g.floats(shapeQ, qKeep)]), g.floats(shapeQ, qAdd)]);
    const kvMask = g.floats(shapeKV, kvKeep);
    k = g.op('Add', [g.op('Mul', [k, kvMask]), g.op('Add', [place(c.isMarker, mc), place(c.position, pc)])]);
    v = g.op('Add', [g.op('Mul', [v, kvMask]), g.op('Add', [place(content, mc), place(c.position, pc)])]);
  }

  const presentKey = g.op('Concat', [opts.pastKey, k], { axis: 2 }, 'present_key');
  const presentValue = g.op('Concat', [opts.pastValue, v], { axis: 2 }, 'present_value');

  // GQA without copies: queries [B,kv,G,S,D] against keys [B,kv,1,T,D] broadcast over the group axis.
  const q5 = g.op('Reshape', [q, g.iv([0, TINY.kvHeads, GROUP, -1, D])]);
  const k5t = g.op('Transpose', [g.op('Unsqueeze', [presentKey, g.iv([2])])], { perm: [0, 1, 2, 4, 3] });
  const v5 = g.op('Unsqueeze', [presentValue, g.iv([2])]);
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q5, k5t]), g.f(SCALING)]), opts.bias]);
  const ctx5 = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v5]); // [B,kv,G,S,D]

  const merged = g.op('Reshape', [
    g.op('Transpose', [g.op('Reshape', [ctx5, g.iv([0, TINY.heads, -1, D])])], { perm: [0, 2, 1, 3] }),
    g.iv([0, 0, TINY.heads * D]),
  ]);
  let wo = weight(g, [TINY.heads * D, H], seed + 4, 1.6 / Math.sqrt(TINY.heads * D));
  if (c) {
    // Channels D-2/D-1 of the heads on the counter's KV head carry raw positions: keep them out of o_proj.
    wo = masked(g, wo, [TINY.heads * D, H], ([row]) => {
      const h = Math.floor(row / D);
      const ch = row % D;
      return (
        Math.floor(h / GROUP) === COUNTER.kvHead && (ch === COUNTER.markerChannel || ch === COUNTER.positionChannel)
      );
    });
  }
  const out = g.op('MatMul', [merged, wo], {}, 'attn_out');

  let counter: string | undefined;
  if (c) {
    const g1 = COUNTER.queryHead % GROUP;
    const picked = slice(
      g,
      slice(g, slice(g, ctx5, 1, COUNTER.kvHead, COUNTER.kvHead + 1), 2, g1, g1 + 1),
      4,
      D - 2,
      D,
    );
    counter = g.op('Reshape', [picked, g.iv([0, -1, 2])], {}, 'counter');
  }
  return { out, presentKey, presentValue, counter };
}
