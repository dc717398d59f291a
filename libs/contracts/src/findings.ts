import { z } from 'zod';
import { IdSchema } from './ids';

/**
 * The minimal finding fields case-api stores. The dental domain (conditions, regions, urgency rules)
 * belongs to libs/dental; these are the fields a structured task output or a clinician provides.
 */
export const URGENCIES = ['routine', 'soon', 'urgent', 'emergency'] as const;
export const UrgencySchema = z.enum(URGENCIES);
export type Urgency = z.infer<typeof UrgencySchema>;

/** FDI (ISO 3950) notation: quadrant 1-4 permanent, 5-8 primary; tooth 1-8 (permanent) or 1-5 (primary). */
export const FdiToothSchema = z
  .number()
  .int()
  .refine((n) => {
    const q = Math.floor(n / 10);
    const t = n % 10;
    return (q >= 1 && q <= 4 && t >= 1 && t <= 8) || (q >= 5 && q <= 8 && t >= 1 && t <= 5);
  }, 'an FDI tooth number (11-48 permanent, 51-85 primary)');

export const FindingInputSchema = z
  .object({
    condition: z.string().trim().min(1).max(200),
    region: z.string().trim().min(1).max(200).optional(),
    teeth: z.array(FdiToothSchema).max(32).default([]),
    urgency: UrgencySchema,
    confidence: z.number().min(0).max(1).optional(),
  })
  .strict();
export type FindingInput = z.infer<typeof FindingInputSchema>;

/** A task output that carries findings; `text@1` outputs do not, and then none are created. */
export const StructuredFindingsOutputSchema = z.object({ findings: z.array(FindingInputSchema) });

export const REVIEW_DECISIONS = ['accepted', 'edited', 'rejected'] as const;
export const ReviewDecisionSchema = z.enum(REVIEW_DECISIONS);
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;

export const FindingViewSchema = z.object({
  id: IdSchema,
  assessmentId: IdSchema,
  caseId: IdSchema,
  source: z.enum(['model', 'clinician']),
  condition: z.string(),
  region: z.string().nullable(),
  teeth: z.array(z.number().int()),
  urgency: UrgencySchema,
  confidence: z.number().nullable(),
  decision: ReviewDecisionSchema.nullable(),
  createdAt: z.iso.datetime(),
});
export type FindingView = z.infer<typeof FindingViewSchema>;

/** Conditions that make a finding urgent whatever its stated urgency (issue 6: sent at once). */
export const URGENT_CONDITIONS = ['infection', 'fracture', 'fractured', 'abscess'] as const;
export function isUrgentFinding(f: { condition: string; urgency: Urgency }): boolean {
  if (f.urgency === 'emergency') return true;
  const c = f.condition.toLowerCase();
  return URGENT_CONDITIONS.some((word) => c.includes(word));
}
