import { z } from 'zod';
import { FindingInputSchema, ReviewDecisionSchema } from './findings';
import { IdSchema } from './ids';

export const REVIEW_STATES = ['draft', 'reviewed', 'signed'] as const;
export const ReviewStateSchema = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof ReviewStateSchema>;

const clinicianId = z.string().trim().min(1).max(128).describe('The reviewing clinician, as the PMS knows them');

export const FindingReviewSchema = z
  .object({
    findingId: IdSchema,
    decision: ReviewDecisionSchema,
    notes: z.string().max(4000).optional(),
    /** Required when the decision is `edited`: the corrected finding. */
    edit: FindingInputSchema.optional(),
  })
  .strict()
  .refine((r) => r.decision !== 'edited' || r.edit, { message: 'an edited finding needs edit', path: ['edit'] });

/** One review of an assessment: the overall decision and one decision per finding it covers. */
export const SubmitReviewRequestSchema = z
  .object({
    clinicianId,
    decision: ReviewDecisionSchema,
    notes: z.string().max(4000).optional(),
    findings: z.array(FindingReviewSchema).max(200).default([]),
  })
  .strict();
export type SubmitReviewRequest = z.infer<typeof SubmitReviewRequestSchema>;

export const SignRequestSchema = z.object({ clinicianId }).strict();
export type SignRequest = z.infer<typeof SignRequestSchema>;

export const AddFindingRequestSchema = FindingInputSchema.extend({ clinicianId }).strict();
export type AddFindingRequest = z.infer<typeof AddFindingRequestSchema>;

export const ReviewViewSchema = z.object({
  id: IdSchema,
  assessmentId: IdSchema,
  findingId: IdSchema.nullable(),
  kind: z.enum(['review', 'amendment', 'signature']),
  decision: ReviewDecisionSchema.nullable(),
  clinicianId: z.string(),
  notes: z.string().nullable(),
  edit: z.unknown().nullable(),
  assessmentVersion: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type ReviewView = z.infer<typeof ReviewViewSchema>;
