import { z } from 'zod';
import { IdSchema } from './ids';
import { ModalitySchema } from './images';
import { TaskNameSchema } from './tasks';

export const IMPORT_STATUSES = [
  'queued',
  'scanning',
  'running',
  'paused',
  'scanned',
  'completed',
  'cancelled',
  'failed',
] as const;
export const ImportStatusSchema = z.enum(IMPORT_STATUSES);
export type ImportStatus = z.infer<typeof ImportStatusSchema>;
/** States an import never leaves by itself (resume turns paused back into running). */
export const FINAL_IMPORT_STATUSES: readonly ImportStatus[] = ['scanned', 'completed', 'cancelled', 'failed'];

export const ITEM_STATES = ['pending', 'imported', 'duplicate', 'refused', 'failed', 'cancelled'] as const;
export const ItemStateSchema = z.enum(ITEM_STATES);
export type ItemState = z.infer<typeof ItemStateSchema>;

const s3Uri = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'an s3://bucket/key or s3://bucket/prefix/ URI');

/** What an import may say beside its source; the same fields travel as multipart text fields. */
const ImportOptionsShape = {
  /** Clinic name every case is filed under; a manifest's clinic column wins per file. */
  clinic: z.string().trim().min(1).max(200).optional(),
  /** The case for files that neither the manifest nor their DICOM header place with a patient. */
  caseId: IdSchema.optional(),
  /** Modality of every image, when the operator knows it better than detection. */
  modality: ModalitySchema.optional(),
  /** Tasks to run on each new image; default: the default task set of its modality. */
  tasks: z.array(TaskNameSchema).max(6).optional(),
  /** Scan only: counts, sizes, duplicates and the GPU time estimate; nothing is stored or analyzed. */
  dryRun: z.boolean().optional(),
};

/**
 * `POST /v1/imports` with a JSON body: an archive already in object storage (`s3://bucket/a.zip`,
 * `.tar`, `.tar.gz`) or every object under a prefix (`s3://bucket/prefix/`). The bucket must be one
 * the deployment allows (IMPORT_S3_BUCKETS).
 */
export const CreateImportSchema = z
  .object({
    source: s3Uri,
    /** Where a manifest (CSV or JSON) is; or send it inline as `manifest`. */
    manifestUri: s3Uri.optional(),
    manifest: z
      .object({ format: z.enum(['csv', 'json']), content: z.string().max(32 * 1024 * 1024) })
      .strict()
      .optional(),
    ...ImportOptionsShape,
  })
  .strict()
  .refine((b) => !(b.manifest && b.manifestUri), { message: 'send manifest or manifestUri, not both' });
export type CreateImport = z.infer<typeof CreateImportSchema>;

/** Multipart fields are text: parsed here once. `tasks` is comma-separated. */
export const ImportFormFieldsSchema = z
  .object({
    clinic: ImportOptionsShape.clinic,
    caseId: ImportOptionsShape.caseId,
    modality: ImportOptionsShape.modality,
    tasks: z
      .string()
      .transform((s) => s.split(',').map((t) => t.trim()))
      .pipe(z.array(TaskNameSchema).max(6))
      .optional(),
    dryRun: z
      .enum(['true', 'false'])
      .transform((s) => s === 'true')
      .optional(),
  })
  .strict();
export type ImportFormFields = z.infer<typeof ImportFormFieldsSchema>;

export const ImportCountsSchema = z.object({
  total: z.number().int().nullable(),
  pending: z.number().int(),
  imported: z.number().int(),
  duplicate: z.number().int(),
  refused: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});
export type ImportCounts = z.infer<typeof ImportCountsSchema>;

/** What a dry run finds, and what a real run found while scanning. */
export const ImportSummarySchema = z.object({
  files: z.number().int(),
  bytes: z.number(),
  refused: z.number().int(),
  /** Entries whose bytes are an earlier entry's. */
  duplicatesInArchive: z.number().int(),
  /** Entries whose bytes the tenant already has as an image. */
  duplicatesOfExisting: z.number().int(),
  /** What would be analyzed: new, distinct, acceptable files. */
  toAnalyze: z.number().int(),
  refusedByCode: z.record(z.string(), z.number().int()),
  gpuEstimate: z.object({
    /** Seconds of engine time, from the engine's measured speed on this platform; null before any. */
    seconds: z.number().nullable(),
    tasksPerImage: z.number().int(),
    /** Decode tokens per second the engine has achieved (stored assessments), or null. */
    measuredTokensPerSecond: z.number().nullable(),
    basis: z.string(),
  }),
});
export type ImportSummary = z.infer<typeof ImportSummarySchema>;

export const ImportViewSchema = z.object({
  id: IdSchema,
  status: ImportStatusSchema,
  dryRun: z.boolean(),
  source: z.string(),
  format: z.string(),
  sourceBytes: z.number().nullable(),
  counts: ImportCountsSchema,
  /** The batch-lane assessments of the imported images, by state. */
  analysis: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
  }),
  /** Items finished per second while running (pauses left out), and the time left at that rate. */
  itemsPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  summary: ImportSummarySchema.nullable(),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ImportView = z.infer<typeof ImportViewSchema>;

/** One line of the per-item report (JSON array or CSV, same columns). */
export const ImportReportRowSchema = z.object({
  index: z.number().int(),
  file: z.string(),
  state: ItemStateSchema,
  imageId: IdSchema.nullable(),
  duplicateOf: IdSchema.nullable(),
  caseId: IdSchema.nullable(),
  assessmentIds: z.array(IdSchema),
  code: z.string().nullable(),
  error: z.string().nullable(),
  /** From the manifest (`acquisition_date`), as given: when the image was taken. */
  acquisitionDate: z.string().nullable(),
});
export type ImportReportRow = z.infer<typeof ImportReportRowSchema>;
export const IMPORT_REPORT_COLUMNS = [
  'index',
  'file',
  'state',
  'imageId',
  'duplicateOf',
  'caseId',
  'assessmentIds',
  'code',
  'error',
  'acquisitionDate',
] as const;
