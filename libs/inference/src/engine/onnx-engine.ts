import { readModelConfig, type ModelConfig } from '../model/model-config';
import { readManifest, verifyManifest } from '../model/manifest';
import { graphPath, weightFiles, weightsDigest } from '../model/model-files';
import { generateBatch, type PreparedRow, type RowOutcome } from './batch-generation';
import { scoreCandidates, type CandidateScore } from './candidate-scoring';
import { PriorityMutex } from './priority-mutex';
import { DynamicBatcher, type BatcherOptions, type Settled } from './dynamic-batcher';
import type { ChatPrompt, EngineInfo, GenerateOptions, Generation, InferenceEngine, ScoreOptions } from './engine.port';
import { PromptTooLongError } from './engine.port';
import { openSession, type SessionSettings } from './execution-providers';
import { PromptBuilder } from './prompt-builder';
import type { ModelSessions } from './sessions';

/** The decoder outputs that carry the KV cache from one step to the next. */
function presentNames(cfg: ModelConfig): string[] {
  return Array.from({ length: cfg.numLayers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
}

/** Hooks for metrics; the engine itself knows nothing of Prometheus. */
export interface EngineObserver {
  onBatch?(size: number): void;
  onGeneration?(g: {
    queueWaitMs: number;
    timeToFirstTokenMs: number;
    completionTokens: number;
    decodeMs: number;
  }): void;
}

export interface EngineLoadOptions {
  dir: string;
  modelId: string;
  /** '' (fp32), '_fp16', '_q4', ...: the `{S}` suffix of the graph files. */
  variant: string;
  session: SessionSettings;
  batching?: BatcherOptions;
  observer?: EngineObserver;
  log?: (msg: string) => void;
}

interface Request {
  prompt: ChatPrompt;
  opts: GenerateOptions;
}

/**
 * DentalGemma on ONNX Runtime: the vision encoder, the token embedder and the merged decoder of the
 * Hugging Face / transformers.js export, driven by our own greedy loop with the KV cache carried from
 * step to step, concurrent requests grouped into batches, and candidate answers scored in one pass.
 */
export class OnnxDentalGemmaEngine implements InferenceEngine {
  private readonly batcher: DynamicBatcher<Request, Generation>;
  private readonly lock = new PriorityMutex();

  private constructor(
    readonly info: EngineInfo,
    private readonly sessions: ModelSessions,
    private readonly prompts: PromptBuilder,
    private readonly observer: EngineObserver,
    batching: BatcherOptions,
  ) {
    this.batcher = new DynamicBatcher(
      (reqs, waits) =>
        this.lock.run(Math.min(...reqs.map((r) => r.opts.priority ?? 0)), () => this.runBatch(reqs, waits)),
      batching,
    );
  }

  static async load(opts: EngineLoadOptions): Promise<OnnxDentalGemmaEngine> {
    const started = performance.now();
    const log = opts.log ?? (() => undefined);
    const config = await readModelConfig(opts.dir);
    const files = await weightFiles(opts.dir, opts.variant);
    // A folder with a manifest must match it; the hashes computed for that also give the digest.
    const manifest = await readManifest(opts.dir);
    if (!manifest) log(`${opts.dir} has no manifest.json: its files' integrity is not checked`);
    const hashes = manifest ? await verifyManifest(opts.dir, manifest) : new Map<string, string>();
    const [digest, prompts, vision, embed, decoder] = await Promise.all([
      weightsDigest(opts.dir, files, hashes),
      PromptBuilder.load(opts.dir, config),
      openSession(graphPath(opts.dir, 'vision_encoder', opts.variant), opts.session, log),
      openSession(graphPath(opts.dir, 'embed_tokens', opts.variant), opts.session, log),
      openSession(graphPath(opts.dir, 'decoder_model_merged', opts.variant), opts.session, log, presentNames(config)),
    ]);
    const info: EngineInfo = {
      modelId: opts.modelId,
      weightsDigest: digest,
      variant: opts.variant || 'fp32',
      executionProvider: decoder.provider,
      loadMs: performance.now() - started,
      imageSize: config.imageSize,
    };
    const sessions = { vision: vision.session, embed: embed.session, decoder: decoder.session, config };
    return new OnnxDentalGemmaEngine(
      info,
      sessions,
      prompts,
      opts.observer ?? {},
      opts.batching ?? { maxBatchSize: 1, maxWaitMs: 0 },
    );
  }

  get config(): ModelConfig {
    return this.sessions.config;
  }

  /** The prompt's token ids, exactly as they go into the model. */
  tokenize(prompt: ChatPrompt): number[] {
    return this.prompts.encode(prompt);
  }

  /** Queued into the dynamic batcher; resolves with this request's own result or error. */
  generate(prompt: ChatPrompt, opts: GenerateOptions): Promise<Generation> {
    return this.batcher.submit({ prompt, opts }, opts.priority ?? 0);
  }

  /** Log-probabilities of candidate answers after the prompt, and their normalized distribution. */
  scoreCandidates(prompt: ChatPrompt, candidates: string[], opts: ScoreOptions = {}): Promise<CandidateScore[]> {
    const ids = this.checkedIds(prompt);
    const tokenized = candidates.map((text) => ({ text, ids: this.prompts.encodeText(text) }));
    const longest = Math.max(0, ...tokenized.map((c) => c.ids.length));
    if (ids.length + longest > this.config.maxPositions) {
      throw new PromptTooLongError(
        `prompt and candidates need ${ids.length + longest} positions of ${this.config.maxPositions}`,
      );
    }
    return this.lock.run(opts.priority ?? 0, () =>
      scoreCandidates(this.sessions, { ids, pixelValues: prompt.pixelValues }, tokenized),
    );
  }

  /** The raw sessions, for reference paths in tests and benchmarks. */
  get modelSessions(): ModelSessions {
    return this.sessions;
  }

  /** Tokenizes and checks one request; its errors are its own. */
  prepare(prompt: ChatPrompt, opts: GenerateOptions): PreparedRow {
    const ids = this.checkedIds(prompt);
    return {
      ids,
      pixelValues: prompt.pixelValues,
      maxNewTokens: Math.min(opts.maxNewTokens, this.config.maxPositions - ids.length),
      stopTokenIds: new Set(opts.stopTokenIds ?? this.config.stopTokenIds),
    };
  }

  private checkedIds(prompt: ChatPrompt): number[] {
    const cfg = this.config;
    const ids = this.prompts.encode(prompt);
    if (ids.length >= cfg.maxPositions) {
      throw new PromptTooLongError(`prompt of ${ids.length} tokens does not fit the context of ${cfg.maxPositions}`);
    }
    const expected = prompt.pixelValues ? cfg.imageSeqLength : 0;
    const found = ids.filter((id) => id === cfg.imageTokenId).length;
    if (found !== expected) throw new Error(`prompt holds ${found} image tokens, expected ${expected}`);
    return ids;
  }

  private async runBatch(requests: Request[], waits: number[]): Promise<Settled<Generation>[]> {
    const results: Settled<Generation>[] = new Array(requests.length);
    const rows: { index: number; row: PreparedRow }[] = [];
    requests.forEach((req, index) => {
      try {
        rows.push({ index, row: this.prepare(req.prompt, req.opts) });
      } catch (error) {
        results[index] = { ok: false, error: error as Error };
      }
    });
    if (rows.length) this.observer.onBatch?.(rows.length);
    let outcomes: Settled<RowOutcome>[];
    try {
      outcomes = rows.length
        ? (
            await generateBatch(
              this.sessions,
              rows.map((r) => r.row),
            )
          ).map((value) => ({ ok: true, value }))
        : [];
    } catch (error) {
      if (rows.length === 1) outcomes = [{ ok: false, error: error as Error }];
      else {
        // Something in the batch broke the run: find it by running each request alone.
        outcomes = [];
        for (const r of rows) {
          try {
            outcomes.push({ ok: true, value: (await generateBatch(this.sessions, [r.row]))[0]! });
          } catch (single) {
            outcomes.push({ ok: false, error: single as Error });
          }
        }
      }
    }
    rows.forEach((r, k) => {
      const o = outcomes[k]!;
      if (!o.ok) {
        results[r.index] = o;
        return;
      }
      const g = o.value;
      this.observer.onGeneration?.({
        queueWaitMs: waits[r.index]!,
        timeToFirstTokenMs: g.timeToFirstTokenMs,
        completionTokens: g.tokenIds.length,
        decodeMs: g.totalMs - g.timeToFirstTokenMs,
      });
      results[r.index] = {
        ok: true,
        value: {
          text: this.prompts.decode(g.tokenIds).trim(),
          tokenIds: g.tokenIds,
          stats: {
            promptTokens: g.promptTokens,
            completionTokens: g.tokenIds.length,
            stopReason: g.stopReason,
            timeToFirstTokenMs: g.timeToFirstTokenMs,
            totalMs: g.totalMs,
            visionMs: g.visionMs,
          },
        },
      };
    });
    return results;
  }

  async dispose(): Promise<void> {
    const s = this.sessions;
    await Promise.all([s.vision.release(), s.embed.release(), s.decoder.release()]);
  }
}
