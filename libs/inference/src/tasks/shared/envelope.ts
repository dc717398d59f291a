import { z } from 'zod';
import { PARSE_STATUSES, type ParseContext, type ParseStatus } from '../task-definition';
import { isHedged, isTruncated } from './text';

/** Why an output needs a clinician's closer look, beyond the review every assessment gets. */
export const REVIEW_REASONS = [
  'unparsed',
  'partial',
  'hedged',
  'truncated',
  'conflicting',
  'filled-by-scoring',
  'scoring-disagrees',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const ScoreDistributionSchema = z.array(
  z.object({ value: z.string(), probability: z.number().min(0).max(1) }).strict(),
);

/**
 * Every task's output: the envelope below plus the task's own fields, all optional, so an unparsed
 * answer is valid with none of them. `.strict()` makes a field the contract does not name an error.
 */
export function outputSchema<S extends z.ZodRawShape>(contract: string, fields: S) {
  return z
    .object({
      contract: z.literal(contract),
      parseStatus: z.enum(PARSE_STATUSES),
      /** True whenever the structured fields should not be trusted without reading the text. */
      needsReview: z.boolean(),
      reviewReasons: z.array(z.enum(REVIEW_REASONS)),
      /** The model's answer, always kept verbatim: the fields are a reading of it, not a replacement. */
      text: z.string(),
      ...fields,
      /** Candidate-scoring distributions per class field, best first. */
      scores: z.record(z.string(), ScoreDistributionSchema).optional(),
      /** The scoring question version each distribution was made under (`ScoringSpec.version`). */
      scoringVersions: z.record(z.string(), z.string()).optional(),
      /** Where each filled class field came from. */
      fieldSources: z.record(z.string(), z.enum(['text', 'scoring'])).optional(),
    })
    .strict();
}

const isEmpty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);

/**
 * Assembles an output. `complete` says whether the task's required fields were all found; empty
 * values are dropped (never stored as "found nothing"), and with no field left the status is
 * unparsed and the output is the envelope alone.
 */
export function buildOutput<F extends Record<string, unknown>>(args: {
  contract: string;
  text: string;
  fields: F;
  complete: boolean;
  ctx?: ParseContext;
  reasons?: ReviewReason[];
}): {
  contract: string;
  parseStatus: ParseStatus;
  needsReview: boolean;
  reviewReasons: ReviewReason[];
  text: string;
} & Partial<F> {
  const kept = Object.fromEntries(Object.entries(args.fields).filter(([, v]) => !isEmpty(v))) as Partial<F>;
  const any = Object.keys(kept).length > 0;
  const parseStatus: ParseStatus = !any ? 'unparsed' : args.complete ? 'parsed' : 'partial';
  const reasons = new Set<ReviewReason>(any ? (args.reasons ?? []) : []);
  if (parseStatus !== 'parsed') reasons.add(parseStatus);
  if (any && isHedged(args.text)) reasons.add('hedged');
  if (isTruncated(args.text, args.ctx?.stopReason)) reasons.add('truncated');
  const reviewReasons = REVIEW_REASONS.filter((r) => reasons.has(r));
  return {
    contract: args.contract,
    parseStatus,
    needsReview: reviewReasons.length > 0,
    reviewReasons,
    text: args.text,
    ...kept,
  };
}
