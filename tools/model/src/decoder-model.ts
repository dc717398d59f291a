// onnx/decoder_model_merged.onnx: a real (tiny) Gemma-like decoder with a KV cache.
//
// Inputs:  inputs_embeds [batch_size, sequence_length, H], attention_mask int64 [batch_size,
//          total_sequence_length], position_ids int64 [batch_size, sequence_length],
//          past_key_values.{i}.key/.value [batch_size, kvHeads, past_sequence_length, headDim]
// Outputs: logits [batch_size, sequence_length, 262208], present.{i}.key/.value
//          [batch_size, kvHeads, total_sequence_length, headDim]
// The dim names matter: transformers.js sizes the first, empty cache from them (batch_size -> the
// batch, any other name -> 0).
//
// Per layer: RMSNorm -> q/k/v -> RoPE -> GQA over concat(past, new) -> o_proj -> residual ->
// RMSNorm -> GeGLU MLP -> residual. Then a final RMSNorm and an output head over the active
// vocabulary only (see active-vocab.ts), scattered into a full-width tensor of TINY.inactiveLogit.
import { GraphBuilder, DT, scalarTensorAttr } from './onnx-builder';
import { geluTanh, rmsNorm, slice, weight } from './procedural';
import { SPECIAL, TINY, layerTypes } from './tiny-config';
import { attention, buildMasks, ropeTables, CounterInputs } from './decoder-attention';
import { MARKER_CHANNEL } from './embed-tokens';

/**
 * How the stop score grows. With d = tokens since the latest <start_of_turn> (the model turn's) and u
 * a content scalar of that turn-start token (a fixed projection of its last-layer input, so it depends
 * on the whole prompt; about 0.7 +- 0.7 over sample prompts), the <end_of_turn> logit is
 * slope * (d - L(u)) + offset with L(u) = minLength * exp(span * sigmoid(gain * (u - center))).
 * An answer therefore stops by itself after roughly L(u) tokens, from ~minLength to ~minLength*e^span,
 * and <eos> is a close runner-up that wins in some contexts. Re-tune with buildDecoder's debug output.
 */
export const STOP = { minLength: 24, span: 3.2, gain: 2.5, center: 0.7, slope: 2, offset: 6, eosGap: 1.5 } as const;

const SEED_BASE = 100;

/**
 * @param activeIds the active vocabulary (see active-vocab.ts), ascending
 * @param opts.debug adds a `debug_counter` output ([B,S,2]: content scalar, latest turn position) for
 *   re-tuning STOP; never set in generated models
 */
export function buildDecoder(activeIds: number[], opts: { debug?: boolean } = {}): Uint8Array {
  const H = TINY.hidden;
  const types = layerTypes();
  if (types[TINY.layers - 1] !== 'full_attention') throw new Error('the last layer must be global (counter head)');
  const g = new GraphBuilder('decoder_model_merged');
  const embeds = g.input('inputs_embeds', DT.FLOAT, ['batch_size', 'sequence_length', H]);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const past = Array.from({ length: TINY.layers }, (_, i) => ({
    key: g.input(`past_key_values.${i}.key`, DT.FLOAT, [
      'batch_size',
      TINY.kvHeads,
      'past_sequence_length',
      TINY.headDim,
    ]),
    value: g.input(`past_key_values.${i}.value`, DT.FLOAT, [
      'batch_size',
      TINY.kvHeads,
      'past_sequence_length',
      TINY.headDim,
    ]),
  }));

  const masks = buildMasks(g, embeds, attentionMask, past[0].key);
  const positions = g.op('Cast', [positionIds], { to: DT.FLOAT }); // [B,S]
  const ropeGlobal = ropeTables(g, positions, TINY.ropeTheta);
  const ropeLocal = ropeTables(g, positions, TINY.ropeLocalTheta);
  const counterInputs: CounterInputs = {
    isMarker: g.op('Unsqueeze', [
      g.op('Cast', [g.op('Greater', [slice(g, embeds, 2, MARKER_CHANNEL, MARKER_CHANNEL + 1), g.f(0.5)])], {
        to: DT.FLOAT,
      }),
      g.iv([1]),
    ]),
    position: g.op('Unsqueeze', [positions, g.iv([1, 3])]),
  };

  let x = embeds;
  let counter: string | undefined;
  for (let i = 0; i < TINY.layers; i += 1) {
    const seed = SEED_BASE + 20 * i;
    const local = types[i] === 'sliding_attention';
    const last = i === TINY.layers - 1;
    const attn = attention(g, {
      x: rmsNorm(g, x, H, seed, TINY.rmsEps),
      seed,
      bias: local ? masks.local : masks.global,
      rope: local ? ropeLocal : ropeGlobal,
      pastKey: past[i].key,
      pastValue: past[i].value,
      counter: last ? counterInputs : undefined,
    });
    g.output(
      `present.${i}.key`,
      DT.FLOAT,
      ['batch_size', TINY.kvHeads, 'total_sequence_length', TINY.headDim],
      attn.presentKey,
    );
    g.output(
      `present.${i}.value`,
      DT.FLOAT,
      ['batch_size', TINY.kvHeads, 'total_sequence_length', TINY.headDim],
      attn.presentValue,
    );
    counter = attn.counter ?? counter;
    x = g.op('Add', [x, attn.out], {}, 'resid');

    const h = rmsNorm(g, x, H, seed + 10, TINY.rmsEps);
    const gate = geluTanh(g, g.op('MatMul', [h, weight(g, [H, TINY.intermediate], seed + 11, 1 / Math.sqrt(H))]));
    const up = g.op('MatMul', [h, weight(g, [H, TINY.intermediate], seed + 12, 1 / Math.sqrt(H))]);
    const down = weight(g, [TINY.intermediate, H], seed + 13, 0.8 / Math.sqrt(TINY.intermediate));
    x = g.op('Add', [x, g.op('MatMul', [g.op('Mul', [gate, up]), down])], {}, 'resid');
  }
  if (!counter) throw new Error('counter head missing');

  const final = rmsNorm(g, x, H, SEED_BASE - 1, TINY.rmsEps);
  const wordLogits = g.op('MatMul', [final, weight(g, [H, activeIds.length], SEED_BASE - 2, 0.3)]); // [B,S,K]
  const stopLogits = stopScores(g, counter, positions, final);
  const scores = g.op('Concat', [wordLogits, stopLogits], { axis: 2 });

  // Scatter [B,S,K+2] scores into [B,S,V] filled with the inactive logit.
  const ids = g.ints([activeIds.length + 2], [...activeIds, SPECIAL.eos, SPECIAL.endOfTurn], 'active_ids');
  const index = g.op('Expand', [ids, g.op('Shape', [scores])]);
  const fullShape = g.op('Concat', [slice(g, g.op('Shape', [embeds]), 0, 0, 2), g.iv([TINY.vocab])], { axis: 0 });
  const fill = g.op('ConstantOfShape', [fullShape], { value: scalarTensorAttr(TINY.inactiveLogit) });
  const logits = g.op('ScatterElements', [fill, index, scores], { axis: 2 });
  g.output('logits', DT.FLOAT, ['batch_size', 'sequence_length', TINY.vocab], logits);
  if (opts.debug) g.output('debug_counter', DT.FLOAT, ['batch_size', 'sequence_length', 2], counter);
  return g.toModel('DentalGemma TINY stand-in: 2-layer procedural Gemma-like decoder (not the real model).');
}

/** [B,S,2] logits for <eos> and <end_of_turn> from the counter head's output (see STOP). */
function stopScores(g: GraphBuilder, counter: string, positions: string, final: string): string {
  const content = slice(g, counter, 2, 0, 1); // [B,S,1]
  const turnStart = slice(g, counter, 2, 1, 2);
  const since = g.op('Sub', [g.op('Unsqueeze', [positions, g.iv([-1])]), turnStart]);
  const shaped = g.op('Sigmoid', [g.op('Mul', [g.op('Sub', [content, g.f(STOP.center)]), g.f(STOP.gain)])]);
  const length = g.op('Mul', [g.op('Exp', [g.op('Mul', [shaped, g.f(STOP.span)])]), g.f(STOP.minLength)]);
  const ramp = g.op('Add', [g.op('Mul', [g.op('Sub', [since, length]), g.f(STOP.slope)]), g.f(STOP.offset)]);
  // <eos> sits within eosGap*(-1.6, 0.4) of <end_of_turn>: it wins in roughly one context in five.
  const z = g.op('Tanh', [g.op('MatMul', [final, weight(g, [TINY.hidden, 1], SEED_BASE - 3, 0.1)])]);
  const eosBias = g.op('Mul', [g.op('Sub', [z, g.f(0.6)]), g.f(STOP.eosGap)]);
  const eos = g.op('Add', [ramp, eosBias]);
  // Never below the inactive fill, so stop tokens always rank above the 258k unused ids.
  return g.op('Max', [g.op('Concat', [eos, ramp], { axis: 2 }), g.f(TINY.inactiveLogit + 10)]);
}
