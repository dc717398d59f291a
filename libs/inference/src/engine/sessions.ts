import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../model/model-config';
import { int64Tensor } from './tensors';

/** The three graphs of a model folder, opened once per process. */
export interface ModelSessions {
  vision: ort.InferenceSession;
  embed: ort.InferenceSession;
  decoder: ort.InferenceSession;
  config: ModelConfig;
}

/** Embeddings for a [B, S] block of ids, as one flat [B * S * H] array. */
export async function embedIds(s: ModelSessions, ids: number[], batch: number): Promise<Float32Array> {
  const seq = ids.length / batch;
  const out = await s.embed.run({ input_ids: int64Tensor(ids, [batch, seq]) });
  return out['inputs_embeds']!.data as Float32Array;
}

/** Vision features for a stack of images: [N, tokensPerImage, H]. */
export async function imageFeatures(s: ModelSessions, images: Float32Array[]): Promise<Float32Array> {
  const size = s.config.imageSize;
  const plane = 3 * size * size;
  const stacked = new Float32Array(plane * images.length);
  images.forEach((img, i) => {
    if (img.length !== plane) throw new Error(`pixel values must hold ${plane} floats, got ${img.length}`);
    stacked.set(img, i * plane);
  });
  const out = await s.vision.run({ pixel_values: new ort.Tensor('float32', stacked, [images.length, 3, size, size]) });
  return out['image_features']!.data as Float32Array;
}

/**
 * Image features replace the embeddings at the image soft-token positions, in order, as
 * transformers.js does. `start`/`length` pick one row of a flat [B, S] block; `image` picks the
 * image (of [N, tokensPerImage, H] features) that row's tokens take.
 */
export function mergeImageFeatures(
  cfg: ModelSessions['config'],
  embeds: Float32Array,
  ids: ArrayLike<number>,
  features: Float32Array,
  { start = 0, length = ids.length, image = 0 } = {},
): void {
  const H = cfg.hiddenSize;
  let next = image * cfg.imageSeqLength;
  for (let p = start; p < start + length; p++) {
    if (ids[p] !== cfg.imageTokenId) continue;
    embeds.set(features.subarray(next * H, (next + 1) * H), p * H);
    next++;
  }
}
