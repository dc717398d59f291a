import * as ort from 'onnxruntime-node';
import { readModelConfig, type ModelConfig } from '../model/model-config';
import { graphPath, weightFiles, weightsDigest } from '../model/model-files';
import type { ChatPrompt, EngineInfo, GenerateOptions, Generation, InferenceEngine } from './engine.port';
import { PromptTooLongError } from './engine.port';
import { openSession, type SessionSettings } from './execution-providers';
import { argmaxLastRow, emptyCache, int64Tensor } from './tensors';
import { PromptBuilder } from './prompt-builder';

export interface EngineLoadOptions {
  dir: string;
  modelId: string;
  /** '' (fp32), '_fp16', '_q4', ...: the `{S}` suffix of the graph files. */
  variant: string;
  session: SessionSettings;
  log?: (msg: string) => void;
}

/**
 * DentalGemma on ONNX Runtime: the vision encoder, the token embedder and the merged decoder of the
 * Hugging Face / transformers.js export, driven by our own greedy loop with the KV cache carried from
 * step to step. Owning the loop (rather than transformers.js' generate) is what later allows
 * batching, candidate scoring and device-resident caches.
 */
export class OnnxDentalGemmaEngine implements InferenceEngine {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly info: EngineInfo,
    readonly config: ModelConfig,
    private readonly prompts: PromptBuilder,
    private readonly vision: ort.InferenceSession,
    private readonly embed: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
  ) {}

  static async load(opts: EngineLoadOptions): Promise<OnnxDentalGemmaEngine> {
    const started = performance.now();
    const log = opts.log ?? (() => undefined);
    const config = await readModelConfig(opts.dir);
    const files = await weightFiles(opts.dir, opts.variant);
    const [digest, prompts, vision, embed, decoder] = await Promise.all([
      weightsDigest(opts.dir, files),
      PromptBuilder.load(opts.dir, config),
      openSession(graphPath(opts.dir, 'vision_encoder', opts.variant), opts.session, log),
      openSession(graphPath(opts.dir, 'embed_tokens', opts.variant), opts.session, log),
      openSession(graphPath(opts.dir, 'decoder_model_merged', opts.variant), opts.session, log),
    ]);
    const info: EngineInfo = {
      modelId: opts.modelId,
      weightsDigest: digest,
      variant: opts.variant || 'fp32',
      executionProvider: decoder.provider,
      loadMs: performance.now() - started,
      imageSize: config.imageSize,
    };
    return new OnnxDentalGemmaEngine(info, config, prompts, vision.session, embed.session, decoder.session);
  }

  /** The prompt's token ids, exactly as they go into the model. */
  tokenize(prompt: ChatPrompt): number[] {
    return this.prompts.encode(prompt);
  }

  /** One generation at a time per engine: concurrent calls queue instead of fighting over threads. */
  generate(prompt: ChatPrompt, opts: GenerateOptions): Promise<Generation> {
    const run = this.queue.then(() => this.generateNow(prompt, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(prompt: ChatPrompt, opts: GenerateOptions): Promise<Generation> {
    const cfg = this.config;
    const started = performance.now();
    const ids = this.prompts.encode(prompt);
    if (ids.length >= cfg.maxPositions) {
      throw new PromptTooLongError(`prompt of ${ids.length} tokens does not fit the context of ${cfg.maxPositions}`);
    }
    const imagePositions = positionsOf(ids, cfg.imageTokenId);
    if (imagePositions.length !== (prompt.pixelValues ? cfg.imageSeqLength : 0)) {
      throw new Error(
        `prompt holds ${imagePositions.length} image tokens, expected ${prompt.pixelValues ? cfg.imageSeqLength : 0}`,
      );
    }
    const stop = new Set(opts.stopTokenIds ?? cfg.stopTokenIds);
    const maxNew = Math.min(opts.maxNewTokens, cfg.maxPositions - ids.length);

    const embeds = await this.embedTokens(ids);
    let visionMs = 0;
    if (prompt.pixelValues) {
      const v0 = performance.now();
      await this.mergeImage(embeds, imagePositions, prompt.pixelValues);
      visionMs = performance.now() - v0;
    }

    const H = cfg.hiddenSize;
    let past = emptyCache(cfg);
    let inputs = new ort.Tensor('float32', embeds, [1, ids.length, H]);
    let length = 0;
    const generated: number[] = [];
    let stopReason: 'stop-token' | 'max-new-tokens' = 'max-new-tokens';
    let firstTokenAt = 0;
    for (let step = 0; step < maxNew; step++) {
      const s = inputs.dims[1]!;
      const out = await this.decoder.run({
        inputs_embeds: inputs,
        attention_mask: int64Tensor(new Array(length + s).fill(1), [1, length + s]),
        position_ids: int64Tensor(
          Array.from({ length: s }, (_, i) => length + i),
          [1, s],
        ),
        ...past,
      });
      length += s;
      const next = argmaxLastRow(out['logits']!);
      if (step === 0) firstTokenAt = performance.now();
      past = presentToPast(out, cfg.numLayers);
      if (stop.has(next)) {
        stopReason = 'stop-token';
        break;
      }
      generated.push(next);
      if (step + 1 < maxNew) inputs = new ort.Tensor('float32', await this.embedTokens([next]), [1, 1, H]);
    }
    const totalMs = performance.now() - started;
    return {
      text: this.prompts.decode(generated).trim(),
      tokenIds: generated,
      stats: {
        promptTokens: ids.length,
        completionTokens: generated.length,
        stopReason,
        timeToFirstTokenMs: (firstTokenAt || performance.now()) - started,
        totalMs,
        visionMs,
      },
    };
  }

  private async embedTokens(ids: number[]): Promise<Float32Array> {
    const out = await this.embed.run({ input_ids: int64Tensor(ids, [1, ids.length]) });
    return out['inputs_embeds']!.data as Float32Array;
  }

  /** Image features replace the embeddings at the image soft-token positions, in order. */
  private async mergeImage(embeds: Float32Array, positions: number[], pixels: Float32Array): Promise<void> {
    const size = this.config.imageSize;
    const out = await this.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) });
    const features = out['image_features']!.data as Float32Array;
    const H = this.config.hiddenSize;
    positions.forEach((pos, k) => embeds.set(features.subarray(k * H, (k + 1) * H), pos * H));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.vision.release(), this.embed.release(), this.decoder.release()]);
  }
}

function positionsOf(ids: number[], id: number): number[] {
  const out: number[] = [];
  ids.forEach((v, i) => v === id && out.push(i));
  return out;
}

function presentToPast(out: ort.InferenceSession.OnnxValueMapType, layers: number): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < layers; i++) {
    past[`past_key_values.${i}.key`] = out[`present.${i}.key`] as ort.Tensor;
    past[`past_key_values.${i}.value`] = out[`present.${i}.value`] as ort.Tensor;
  }
  return past;
}
