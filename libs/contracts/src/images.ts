import { z } from 'zod';
import { IdSchema } from './ids';
import { TaskNameSchema } from './tasks';

export const MODALITIES = ['panoramic', 'intraoral-photo', 'periapical', 'bitewing', 'other'] as const;
export const ModalitySchema = z.enum(MODALITIES);
export type Modality = z.infer<typeof ModalitySchema>;

/** Multipart fields are text: 'true'/'false' and decimal digits, parsed here once. */
const formBool = z.enum(['true', 'false']).transform((s) => s === 'true');
const formFrame = z
  .string()
  .regex(/^\d{1,5}$/, 'a frame number (0-based)')
  .transform(Number);

/**
 * `analyze` on an upload: have case-api assess the stored image at once, on the interactive lane, as
 * the image.ingested flow does for imports. `default` (the modality's default task set) or a list
 * of tasks; absent, nothing is assessed until `POST /v1/cases/:caseId/assessments`. The assessments
 * come back like any other (webhook `assessment.completed`, `GET /v1/cases/:id`); a task already
 * assessed for the image on that lane is not run again.
 */
export const AnalyzeSchema = z.union([z.literal('default'), z.array(TaskNameSchema).min(1).max(6)]);
export type Analyze = z.infer<typeof AnalyzeSchema>;
const formAnalyze = z
  .string()
  .transform((s) => (s.trim() === 'default' ? 'default' : s.split(',').map((t) => t.trim())))
  .pipe(AnalyzeSchema);

/**
 * Fields that travel beside the file in `POST /v1/images` (multipart/form-data).
 * - `frame`: which frame of a multi-frame DICOM object to use (multi-frame is refused without it).
 * - `matchPatient`: 'true' to check the DICOM PatientID against the case's patient external id;
 *   it is the only time identifying DICOM attributes are read, and they are never stored or logged.
 */
export const UploadImageFieldsSchema = z
  .object({
    caseId: IdSchema,
    modality: ModalitySchema.optional(),
    frame: formFrame.optional(),
    matchPatient: formBool.optional(),
    /** `default` or comma-separated task names: see AnalyzeSchema. */
    analyze: formAnalyze.optional(),
  })
  .strict();
export type UploadImageFields = z.infer<typeof UploadImageFieldsSchema>;

/** `POST /v1/uploads` (JSON): start a presigned direct-to-S3 upload for a large file. */
export const CreateUploadSchema = z
  .object({
    caseId: IdSchema,
    modality: ModalitySchema.optional(),
    frame: z.number().int().min(0).max(99_999).optional(),
    matchPatient: z.boolean().optional(),
    /** Announced size; checked again against the stored object on completion. */
    sizeBytes: z.number().int().positive(),
    /** Assess the image once completed: see AnalyzeSchema. */
    analyze: AnalyzeSchema.optional(),
  })
  .strict();
export type CreateUpload = z.infer<typeof CreateUploadSchema>;

export const UploadSessionViewSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  status: z.enum(['pending', 'completed']),
  /** PUT the file's bytes here, then call `POST /v1/uploads/:id/complete`. */
  uploadUrl: z.string().url(),
  method: z.literal('PUT'),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int(),
});
export type UploadSessionView = z.infer<typeof UploadSessionViewSchema>;

/**
 * How the model derivative was made from the original, so a box the model reports on the 896x896
 * derivative maps back to original pixels: original = (derivative - offset) / scale.
 */
export const LetterboxTransformSchema = z.object({
  scale: z.number().positive(),
  offsetX: z.number().nonnegative(),
  offsetY: z.number().nonnegative(),
  targetWidth: z.number().int(),
  targetHeight: z.number().int(),
});
export type LetterboxTransform = z.infer<typeof LetterboxTransformSchema>;

export const ImageViewSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  sha256: z.string(),
  format: z.string(),
  modality: ModalitySchema,
  width: z.number().int(),
  height: z.number().int(),
  sizeBytes: z.number().int(),
  normalizedKey: z.string(),
  thumbnailKey: z.string(),
  /** False when the deployment does not keep originals (KEEP_ORIGINALS=false). */
  originalKept: z.boolean(),
  frame: z.number().int().nullable(),
  patientVerified: z.boolean(),
  transform: LetterboxTransformSchema,
  createdAt: z.iso.datetime(),
});
export type ImageView = z.infer<typeof ImageViewSchema>;
