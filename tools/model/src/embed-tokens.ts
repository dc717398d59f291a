// onnx/embed_tokens.onnx: input_ids int64 [batch_size, sequence_length] -> inputs_embeds float32
// [batch_size, sequence_length, hidden].
//
// Why procedural: a real 262208 x hidden table would be the biggest file of the tiny model. Each
// embedding entry is instead an integer hash of (token id, channel), so every id (including the image
// soft token 262144 and ids the active vocabulary never emits) gets its own pseudo-random vector.
// The output is final: like the real export (Gemma3TextScaledWordEmbedding, which already multiplies
// by sqrt(hidden)), engines feed it to the decoder as is.
//
// The last channel is reserved as a "turn marker": 1.0 for <start_of_turn> (105), 0 for every other
// token and for image features. The decoder's length counter (see decoder-model.ts) keys on it.
import { GraphBuilder, DT } from './onnx-builder';
import { hashUniform } from './procedural';
import { SPECIAL, TINY } from './tiny-config';

export const EMBED_SEED = 1;
export const MARKER_CHANNEL = TINY.hidden - 1;

export function buildEmbedTokens(): Uint8Array {
  const H = TINY.hidden;
  const g = new GraphBuilder('embed_tokens');
  const ids = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);

  const idsLast = g.op('Unsqueeze', [ids, g.iv([-1])]); // [B,S,1]
  const flat = g.op('Add', [g.op('Mul', [idsLast, g.i(H)]), g.op('Range', [g.i(0), g.i(H), g.i(1)])]);
  const hashed = hashUniform(g, flat, EMBED_SEED, Math.sqrt(3)); // unit variance per channel

  const keep = Array.from({ length: H }, (_, j) => (j === MARKER_CHANNEL ? 0 : 1));
  const marker = Array.from({ length: H }, (_, j) => (j === MARKER_CHANNEL ? 1 : 0));
  const isTurn = g.op('Cast', [g.op('Equal', [idsLast, g.i(SPECIAL.startOfTurn)])], { to: DT.FLOAT });
  const embeds = g.op('Add', [
    g.op('Mul', [hashed, g.floats([H], keep)]),
    g.op('Mul', [isTurn, g.floats([H], marker)]),
  ]);

  g.output('inputs_embeds', DT.FLOAT, ['batch_size', 'sequence_length', H], embeds);
  return g.toModel('DentalGemma TINY stand-in: procedural token embeddings (not the real model).');
}
