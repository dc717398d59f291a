import { z } from 'zod';
import { IdSchema, TenantIdSchema } from './ids';
import { GenerationStatsSchema, ModelProvenanceSchema } from './assessments';
import { ModalitySchema } from './images';
import { TaskNameSchema } from './tasks';

/** The card's case structure, as the text-only task receives it. */
export const CaseTextSchema = z.object({
  age: z.number().int().optional(),
  sex: z.string().optional(),
  chiefComplaint: z.string().optional(),
  clinicalFindings: z.string().optional(),
  radiographicFindings: z.string().optional(),
  medicalHistory: z.string().optional(),
});
export type CaseText = z.infer<typeof CaseTextSchema>;

export const InferenceInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('image'),
    imageId: IdSchema,
    /** Object key of the 896x896 model derivative; the worker never sees the original. */
    normalizedKey: z.string().min(1),
    modality: ModalitySchema,
    caseText: CaseTextSchema.optional(),
  }),
  z.object({ kind: z.literal('text'), caseText: CaseTextSchema }),
]);
export type InferenceInput = z.infer<typeof InferenceInputSchema>;

/**
 * Two lanes: chairside (interactive) work and archive backfills (batch) never share a queue, and
 * the worker serves the interactive lane first, so a backfill cannot delay a clinician.
 */
export const LANES = ['interactive', 'batch'] as const;
export const LaneSchema = z.enum(LANES);
export type Lane = z.infer<typeof LaneSchema>;
export const LANE_QUEUES = { interactive: 'inference', batch: 'inference-batch' } as const;

export const RunAssessmentJobSchema = z.object({
  assessmentId: IdSchema,
  tenantId: TenantIdSchema,
  task: TaskNameSchema,
  input: InferenceInputSchema,
  lane: LaneSchema.default('interactive'),
});
export type RunAssessmentJob = z.infer<typeof RunAssessmentJobSchema>;

export const AssessmentStartedSchema = z.object({
  assessmentId: IdSchema,
  tenantId: TenantIdSchema,
  startedAt: z.iso.datetime(),
  worker: z.string(),
});
export type AssessmentStarted = z.infer<typeof AssessmentStartedSchema>;

export const AssessmentCompletedSchema = z.object({
  assessmentId: IdSchema,
  tenantId: TenantIdSchema,
  provenance: ModelProvenanceSchema,
  rawText: z.string(),
  output: z.unknown(),
  stats: GenerationStatsSchema,
  /**
   * When the attempt that produced it started. Also in the "started" event, but results drained in
   * bulk (case-api back after an outage) can store the completion first, and a completed assessment
   * is never moved back to running. Optional: results queued by an older worker lack it.
   */
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime(),
});
export type AssessmentCompleted = z.infer<typeof AssessmentCompletedSchema>;

export const AssessmentFailedSchema = z.object({
  assessmentId: IdSchema,
  tenantId: TenantIdSchema,
  error: z.string(),
  /** A permanent failure (unreadable image, task that does not fit) will not succeed on retry. */
  permanent: z.boolean(),
  failedAt: z.iso.datetime(),
});
export type AssessmentFailed = z.infer<typeof AssessmentFailedSchema>;

export const DeadAssessmentJobSchema = z.object({
  job: RunAssessmentJobSchema,
  sourceQueue: z.string(),
  sourceJobId: z.string(),
  error: z.string(),
  attempts: z.number().int(),
  failedAt: z.iso.datetime(),
});
export type DeadAssessmentJob = z.infer<typeof DeadAssessmentJobSchema>;

/** Runs (or resumes) one archive import; ingestion consumes it. */
export const RunImportJobSchema = z.object({ importId: IdSchema, tenantId: TenantIdSchema });
export type RunImportJob = z.infer<typeof RunImportJobSchema>;

/**
 * An image to analyze: stored by an import (batch lane) or by an upload that asked for it
 * (`analyze`, interactive lane). case-api requests the assessments (ingestion owns none). `tasks`
 * empty: the default task set of the image's modality.
 */
export const ImageIngestedSchema = z.object({
  tenantId: TenantIdSchema,
  imageId: IdSchema,
  caseId: IdSchema,
  importId: IdSchema.optional(),
  tasks: z.array(TaskNameSchema).default([]),
  lane: LaneSchema.default('batch'),
});
export type ImageIngested = z.infer<typeof ImageIngestedSchema>;

/**
 * The job catalogue: every queue, its job names and each job's payload schema, in one place.
 * Producers and consumers are typed from it, and a consumer refuses to boot without a handler for
 * each of its queue's jobs.
 */
export const JOB_CATALOGUE = {
  inference: {
    'assessment.run': RunAssessmentJobSchema,
  },
  'inference-batch': {
    'assessment.run': RunAssessmentJobSchema,
  },
  /** Jobs that used up their attempts, kept for an operator to inspect, retry or discard. */
  'inference-dead': {
    'assessment.dead': DeadAssessmentJobSchema,
  },
  imports: {
    'import.run': RunImportJobSchema,
  },
  /** Images stored by an import, for case-api to analyze at batch priority. */
  intake: {
    'image.ingested': ImageIngestedSchema,
  },
  results: {
    'assessment.started': AssessmentStartedSchema,
    'assessment.completed': AssessmentCompletedSchema,
    'assessment.failed': AssessmentFailedSchema,
  },
} as const;

export type JobCatalogue = typeof JOB_CATALOGUE;
export type QueueName = keyof JobCatalogue;
export type JobName<Q extends QueueName> = keyof JobCatalogue[Q] & string;
/** What a handler receives: the payload after validation (defaults applied). */
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = z.infer<
  JobCatalogue[Q][N] extends z.ZodType ? JobCatalogue[Q][N] : never
>;
/** What a producer may send: the schema's input (fields with defaults may be left out). */
export type JobInput<Q extends QueueName, N extends JobName<Q>> = z.input<
  JobCatalogue[Q][N] extends z.ZodType ? JobCatalogue[Q][N] : never
>;

/** A dead-lettered job as an organization's admin sees it. */
export const DeadLetterViewSchema = DeadAssessmentJobSchema.extend({ id: z.string() });
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;
