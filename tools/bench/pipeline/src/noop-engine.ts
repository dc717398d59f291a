import type { CandidateScore, ChatPrompt, EngineInfo, Generation, InferenceEngine } from '@dg/inference';

/**
 * An engine that answers at once with a fixed, parseable report: what is left of an assessment's
 * time is the pipeline's (HTTP, Postgres, outbox, three queue hops, S3 read, decode, parse, store).
 * Only bench:pipeline uses it, to measure that pipeline alone; it is never wired into main.ts.
 */
export class NoopEngine implements InferenceEngine {
  readonly info: EngineInfo = {
    modelId: 'noop-engine',
    weightsDigest: `sha256:${'0'.repeat(64)}`,
    variant: 'noop',
    executionProvider: 'none',
    loadMs: 0,
    imageSize: 896,
  };

  constructor(private readonly text: string) {}

  async generate(_prompt: ChatPrompt): Promise<Generation> {
    return {
      text: this.text,
      tokenIds: [],
      stats: {
        promptTokens: 0,
        completionTokens: 0,
        stopReason: 'stop-token',
        timeToFirstTokenMs: 0,
        totalMs: 0,
        visionMs: 0,
      },
    };
  }

  async scoreCandidates(_prompt: ChatPrompt, candidates: string[]): Promise<CandidateScore[]> {
    return candidates.map((candidate) => ({
      candidate,
      tokenIds: [],
      logProb: Math.log(1 / candidates.length),
      probability: 1 / candidates.length,
    }));
  }

  async dispose(): Promise<void> {
    // nothing to release: no sessions, no memory
  }
}

/** A structured radiographic report the task's parser accepts (its own fixture's shape). */
export const NOOP_REPORT =
  '**Findings:**\n- Right mandibular region: caries in the first molar.\n\n' +
  '**Differential Diagnosis:** Infection.\n\n**Recommendations:**\n- Routine follow-up in 6 months.';
