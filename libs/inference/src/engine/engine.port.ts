import type { GenerationStats } from '@dg/contracts';
import type { CandidateScore } from './candidate-scoring';

export interface ChatPrompt {
  /** Gemma 3 has no system role: the chat template folds this into the first user turn. */
  system: string;
  user: string;
  /** Channels-first pixel values of the 896x896 model derivative, already normalized. */
  pixelValues?: Float32Array;
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** Defaults to the model's own stop tokens (eos and <end_of_turn>). */
  stopTokenIds?: number[];
  /** 0 (interactive) before 1 (batch) when requests wait for the engine. */
  priority?: number;
}

export interface ScoreOptions {
  /** As GenerateOptions.priority: the interactive lane's scoring goes before the batch lane's. */
  priority?: number;
}

export interface Generation {
  text: string;
  tokenIds: number[];
  stats: GenerationStats;
}

export interface EngineInfo {
  modelId: string;
  weightsDigest: string;
  variant: string;
  executionProvider: string;
  loadMs: number;
  /** Side of the square image the vision encoder takes (896 for Gemma 3). */
  imageSize: number;
}

/** The model-engine port: the worker depends on this, the ONNX Runtime adapter implements it. */
export interface InferenceEngine {
  readonly info: EngineInfo;
  generate(prompt: ChatPrompt, opts: GenerateOptions): Promise<Generation>;
  /** Each candidate answer's log-probability after the prompt, and their normalized distribution. */
  scoreCandidates(prompt: ChatPrompt, candidates: string[], opts?: ScoreOptions): Promise<CandidateScore[]>;
  dispose(): Promise<void>;
}

export class PromptTooLongError extends Error {
  override readonly name = 'PromptTooLongError';
}
