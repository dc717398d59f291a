import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The parts of a Gemma 3 model folder's config.json and generation_config.json the engine uses. */
const ConfigJson = z.object({
  model_type: z.literal('gemma3'),
  image_token_index: z.number().int().default(262144),
  boi_token_index: z.number().int().default(255999),
  eoi_token_index: z.number().int().default(256000),
  mm_tokens_per_image: z.number().int().default(256),
  text_config: z.object({
    hidden_size: z.number().int(),
    num_hidden_layers: z.number().int(),
    num_key_value_heads: z.number().int(),
    head_dim: z.number().int(),
    vocab_size: z.number().int(),
    max_position_embeddings: z.number().int(),
  }),
  vision_config: z
    .object({ image_size: z.number().int().default(896) })
    .passthrough()
    .default({ image_size: 896 }),
});

const GenerationConfigJson = z.object({
  bos_token_id: z.number().int().default(2),
  pad_token_id: z.number().int().default(0),
  eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).default([1, 106]),
});

export interface ModelConfig {
  hiddenSize: number;
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  imageSize: number;
  imageTokenId: number;
  boiTokenId: number;
  eoiTokenId: number;
  imageSeqLength: number;
  padTokenId: number;
  /** Generation stops at any of these: eos (1) and <end_of_turn> (106) for Gemma 3. */
  stopTokenIds: number[];
}

export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const read = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown;
  const cfg = ConfigJson.parse(await read('config.json'));
  const gen = GenerationConfigJson.parse(await read('generation_config.json'));
  const eos = Array.isArray(gen.eos_token_id) ? gen.eos_token_id : [gen.eos_token_id];
  return {
    hiddenSize: cfg.text_config.hidden_size,
    numLayers: cfg.text_config.num_hidden_layers,
    numKvHeads: cfg.text_config.num_key_value_heads,
    headDim: cfg.text_config.head_dim,
    vocabSize: cfg.text_config.vocab_size,
    maxPositions: cfg.text_config.max_position_embeddings,
    imageSize: cfg.vision_config.image_size,
    imageTokenId: cfg.image_token_index,
    boiTokenId: cfg.boi_token_index,
    eoiTokenId: cfg.eoi_token_index,
    imageSeqLength: cfg.mm_tokens_per_image,
    padTokenId: gen.pad_token_id,
    stopTokenIds: [...new Set(eos)],
  };
}
