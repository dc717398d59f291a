import type { TaskOutput } from '../task-definition';
import type { ReviewReason } from './envelope';
import { REVIEW_REASONS } from './envelope';
import { SCORING_FILL_THRESHOLD, type ScoredCandidate, type ScoringSpec } from './scoring';

/**
 * Merges one field's candidate-scoring distribution into a parsed output (pure: returns a copy).
 * - the distribution is stored under `scores[field]`, best first, its question's version under
 *   `scoringVersions[field]`;
 * - a field the text filled keeps the text's value; if scoring prefers another, `scoring-disagrees`;
 * - an empty field is filled from scoring only above the threshold, marked `fieldSources: scoring`
 *   and `filled-by-scoring`; an unparsed output then becomes partial, never parsed.
 */
export function mergeScores<T extends TaskOutput>(output: T, spec: ScoringSpec, scored: ScoredCandidate[]): T {
  const byText = new Map(spec.candidates.map((c) => [c.text, c.value]));
  const distribution = scored
    .map((s) => {
      const value = byText.get(s.candidate);
      if (value === undefined) throw new Error(`${JSON.stringify(s.candidate)} is not a candidate of ${spec.field}`);
      return { value, probability: s.probability };
    })
    .sort((a, b) => b.probability - a.probability);
  const top = distribution[0];
  const current = output[spec.field];
  const reasons = new Set<ReviewReason>((output['reviewReasons'] as ReviewReason[] | undefined) ?? []);
  const sources = { ...((output['fieldSources'] as Record<string, string> | undefined) ?? {}) };
  const next: TaskOutput = {
    ...output,
    scores: { ...((output['scores'] as object | undefined) ?? {}), [spec.field]: distribution },
    scoringVersions: { ...((output['scoringVersions'] as object | undefined) ?? {}), [spec.field]: spec.version },
  };
  if (current !== undefined) {
    sources[spec.field] = 'text';
    if (top && top.value !== current) reasons.add('scoring-disagrees');
  } else if (top && top.probability >= SCORING_FILL_THRESHOLD) {
    next[spec.field] = top.value;
    sources[spec.field] = 'scoring';
    reasons.add('filled-by-scoring');
    if (next.parseStatus === 'unparsed') {
      next.parseStatus = 'partial';
      reasons.delete('unparsed');
      reasons.add('partial');
    }
  }
  const reviewReasons = REVIEW_REASONS.filter((r) => reasons.has(r));
  return {
    ...next,
    ...(Object.keys(sources).length ? { fieldSources: sources } : {}),
    reviewReasons,
    needsReview: reviewReasons.length > 0,
  } as unknown as T;
}
