// The tiny model's dimensions and the JSON files that describe it.
//
// Engines read every dimension from config.json, so this file is the single source of truth: the
// graph builders take their sizes from TINY below and the JSON is generated from the same object.
// Field names and special ids follow the real google/gemma-3-4b-it (and so DentalGemma 1.5 4B IT).

export const TINY = {
  hidden: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  intermediate: 256,
  vocab: 262208,
  contextLength: 2048,
  slidingWindow: 512,
  // Layer i is "sliding_attention" unless it is the last of each block of `slidingPattern` layers.
  slidingPattern: 2,
  ropeTheta: 1_000_000,
  ropeLocalTheta: 10_000,
  queryPreAttnScalar: 16,
  rmsEps: 1e-6,
  // Vision: 896x896 in, 256 soft tokens out (16x16 grid of 56x56-pixel cells).
  imageSize: 896,
  patchSize: 14,
  tokensPerImage: 256,
  // Logit value of every token outside the active vocabulary.
  inactiveLogit: -100,
} as const;

export const SPECIAL = {
  pad: 0,
  eos: 1,
  bos: 2,
  startOfTurn: 105,
  endOfTurn: 106,
  boi: 255999,
  eoi: 256000,
  image: 262144,
} as const;

export function layerTypes(): string[] {
  return Array.from({ length: TINY.layers }, (_, i) =>
    (i + 1) % TINY.slidingPattern === 0 ? 'full_attention' : 'sliding_attention',
  );
}

const DESCRIPTION =
  'NOT DentalGemma. A deterministic, procedurally generated tiny stand-in with the exact file layout, ' +
  'tensor names and special tokens of DentalGemma 1.5 4B IT (Gemma 3 4B), for tests and local development. ' +
  'Its outputs are meaningless word salad. Built by tools/model (generateTinyModel).';

export function configJson(active: { ids: number[]; pieces: string[] }): object {
  const words = active.ids.filter((_, i) => active.pieces[i].startsWith('\u2581'));
  const punctuation = active.ids.filter((_, i) => !active.pieces[i].startsWith('\u2581'));
  return {
    architectures: ['Gemma3ForConditionalGeneration'],
    model_type: 'gemma3',
    dentalgemma_tiny: true,
    dentalgemma_tiny_description: DESCRIPTION,
    dentalgemma_tiny_active_vocab: {
      count: active.ids.length,
      rule: 'the first ids whose piece is a lowercase word with a leading space (/^\u2581[a-z]{3,}$/), plus "." and ","',
      word_id_min: words[0],
      word_id_max: words[words.length - 1],
      punctuation_ids: punctuation,
      stop_ids: [SPECIAL.eos, SPECIAL.endOfTurn],
      inactive_logit: TINY.inactiveLogit,
    },
    boi_token_index: SPECIAL.boi,
    eoi_token_index: SPECIAL.eoi,
    image_token_index: SPECIAL.image,
    mm_tokens_per_image: TINY.tokensPerImage,
    bos_token_id: SPECIAL.bos,
    eos_token_id: [SPECIAL.eos, SPECIAL.endOfTurn],
    pad_token_id: SPECIAL.pad,
    initializer_range: 0.02,
    torch_dtype: 'float32',
    text_config: {
      model_type: 'gemma3_text',
      vocab_size: TINY.vocab,
      hidden_size: TINY.hidden,
      intermediate_size: TINY.intermediate,
      num_hidden_layers: TINY.layers,
      num_attention_heads: TINY.heads,
      num_key_value_heads: TINY.kvHeads,
      head_dim: TINY.headDim,
      query_pre_attn_scalar: TINY.queryPreAttnScalar,
      max_position_embeddings: TINY.contextLength,
      sliding_window: TINY.slidingWindow,
      sliding_window_pattern: TINY.slidingPattern,
      layer_types: layerTypes(),
      rope_theta: TINY.ropeTheta,
      rope_local_base_freq: TINY.ropeLocalTheta,
      rope_scaling: null,
      rms_norm_eps: TINY.rmsEps,
      hidden_activation: 'gelu_pytorch_tanh',
      attention_bias: false,
      attention_dropout: 0,
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
      bos_token_id: SPECIAL.bos,
      eos_token_id: [SPECIAL.eos, SPECIAL.endOfTurn],
      pad_token_id: SPECIAL.pad,
      use_cache: true,
    },
    vision_config: {
      model_type: 'siglip_vision_model',
      image_size: TINY.imageSize,
      patch_size: TINY.patchSize,
      num_channels: 3,
      hidden_size: TINY.hidden,
      intermediate_size: TINY.intermediate,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      layer_norm_eps: 1e-6,
      vision_use_head: false,
    },
  };
}

export function generationConfigJson(): object {
  return {
    bos_token_id: SPECIAL.bos,
    pad_token_id: SPECIAL.pad,
    eos_token_id: [SPECIAL.eos, SPECIAL.endOfTurn],
    do_sample: false,
    max_length: TINY.contextLength,
  };
}

export function preprocessorConfigJson(): object {
  return {
    do_convert_rgb: null,
    do_normalize: true,
    do_pan_and_scan: null,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_processor_type: 'Gemma3ImageProcessor',
    image_seq_length: TINY.tokensPerImage,
    image_std: [0.5, 0.5, 0.5],
    pan_and_scan_max_num_crops: null,
    pan_and_scan_min_crop_size: null,
    pan_and_scan_min_ratio_to_activate: null,
    processor_class: 'Gemma3Processor',
    resample: 2,
    rescale_factor: 1 / 255,
    size: { height: TINY.imageSize, width: TINY.imageSize },
  };
}

export function processorConfigJson(): object {
  return { image_seq_length: TINY.tokensPerImage, processor_class: 'Gemma3Processor' };
}

/** special_tokens_map.json, taken from the copied tokenizer_config.json so the two never disagree. */
export function specialTokensMapJson(tokenizerConfig: Record<string, unknown>): object {
  const tok = (key: string) => ({
    content: String(tokenizerConfig[key]),
    lstrip: false,
    normalized: false,
    rstrip: false,
    single_word: false,
  });
  return {
    boi_token: tokenizerConfig['boi_token'] ?? '<start_of_image>',
    bos_token: tok('bos_token'),
    eoi_token: tokenizerConfig['eoi_token'] ?? '<end_of_image>',
    eos_token: tok('eos_token'),
    image_token: tokenizerConfig['image_token'] ?? '<image_soft_token>',
    pad_token: tok('pad_token'),
    unk_token: tok('unk_token'),
  };
}
