import { z } from 'zod';
import { IdSchema } from './ids';
import { ReviewStateSchema } from './reviews';
import { TaskNameSchema } from './tasks';

export const ASSESSMENT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export const AssessmentStatusSchema = z.enum(ASSESSMENT_STATUSES);
export type AssessmentStatus = z.infer<typeof AssessmentStatusSchema>;

/** Clinical urgency of a request: within the interactive lane, more urgent work goes first. */
export const REQUEST_URGENCIES = ['routine', 'soon', 'urgent', 'emergency'] as const;

export const CreateAssessmentRequestSchema = z
  .object({
    task: TaskNameSchema,
    imageId: IdSchema.optional(),
    /** interactive (chairside, default) or batch (backfills: served after every interactive job). */
    lane: z.enum(['interactive', 'batch']).default('interactive'),
    urgency: z.enum(REQUEST_URGENCIES).default('routine'),
  })
  .strict();
export type CreateAssessmentRequest = z.infer<typeof CreateAssessmentRequestSchema>;

/** The default task set of an input (an image's modality, or the case text when no image). */
export const CreateDefaultAssessmentsRequestSchema = CreateAssessmentRequestSchema.omit({ task: true });
export type CreateDefaultAssessmentsRequest = z.infer<typeof CreateDefaultAssessmentsRequestSchema>;

/** What the engine measured for one generation; stored with the assessment. */
export const GenerationStatsSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  stopReason: z.enum(['stop-token', 'max-new-tokens']),
  timeToFirstTokenMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
  visionMs: z.number().nonnegative(),
});
export type GenerationStats = z.infer<typeof GenerationStatsSchema>;

/** Provenance: which model, weights and prompt produced a text. Required on every completed assessment. */
export const ModelProvenanceSchema = z.object({
  modelId: z.string().min(1),
  weightsDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  promptVersion: z.string().min(1),
  contractVersion: z.string().min(1),
});
export type ModelProvenance = z.infer<typeof ModelProvenanceSchema>;

export const AssessmentViewSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  imageId: IdSchema.nullable(),
  task: TaskNameSchema,
  status: AssessmentStatusSchema,
  modelId: z.string().nullable(),
  weightsDigest: z.string().nullable(),
  promptVersion: z.string(),
  contractVersion: z.string(),
  rawText: z.string().nullable(),
  output: z.unknown().nullable(),
  error: z.string().nullable(),
  stats: GenerationStatsSchema.nullable(),
  disclaimer: z.string(),
  reviewRequired: z.literal(true),
  reviewState: ReviewStateSchema,
  /** Also sent as the ETag header; review requests send it back in If-Match. */
  version: z.number().int(),
  signedAt: z.iso.datetime().nullable(),
  signedBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
});
export type AssessmentView = z.infer<typeof AssessmentViewSchema>;

/**
 * `GET /v1/assessments`: lists of assessments across cases; `?status=completed&reviewState=draft` is
 * the clinicians' review queue (nothing the model says is final until reviewed), oldest first so
 * the longest wait is on top. `clinicId` narrows to one clinic's cases, or `none` to cases without.
 */
export const AssessmentListQuerySchema = z
  .object({
    status: AssessmentStatusSchema.optional(),
    reviewState: ReviewStateSchema.optional(),
    task: TaskNameSchema.optional(),
    clinicId: z.union([z.uuid(), z.literal('none')]).optional(),
    sort: z.enum(['createdAt', '-createdAt']).default('createdAt'),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type AssessmentListQuery = z.infer<typeof AssessmentListQuerySchema>;
