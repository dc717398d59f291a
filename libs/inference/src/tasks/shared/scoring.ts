/**
 * Candidate scoring fills class fields from the model's own distribution: the engine scores each
 * candidate answer as a continuation of a short question on the same input, normalized over the
 * list. The distribution is stored beside the text answer; it never overrides what the text said.
 */
export interface ScoringSpec {
  /** The output field the distribution is about. */
  field: string;
  /** Versioned like a prompt: a stored distribution is only comparable under the same question. */
  version: string;
  /** The question the candidates answer (the system prompt and the image are the task's own). */
  question: string;
  candidates: { value: string; text: string }[];
}

/** One candidate's share, as the engine's `scoreCandidates` returns it (extra fields ignored). */
export interface ScoredCandidate {
  candidate: string;
  probability: number;
}

/** A field is filled from scoring only when its best candidate holds at least this share. */
export const SCORING_FILL_THRESHOLD = 0.5;
