import { z } from 'zod';
import { IdSchema } from './ids';

export const MODALITIES = ['panoramic', 'intraoral-photo', 'periapical', 'bitewing', 'other'] as const;
export const ModalitySchema = z.enum(MODALITIES);
export type Modality = z.infer<typeof ModalitySchema>;

/** Fields that travel beside the file in `POST /v1/images`. */
export const UploadImageFieldsSchema = z
  .object({
    caseId: IdSchema,
    modality: ModalitySchema.optional(),
  })
  .strict();
export type UploadImageFields = z.infer<typeof UploadImageFieldsSchema>;

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
  transform: LetterboxTransformSchema,
  createdAt: z.iso.datetime(),
});
export type ImageView = z.infer<typeof ImageViewSchema>;
