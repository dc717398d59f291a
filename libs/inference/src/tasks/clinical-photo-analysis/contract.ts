import { PhotoLabelSchema, SeveritySchema } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const CLINICAL_PHOTO_CONTRACT = 'clinical-photo-analysis.output@1';

export const ClinicalPhotoOutputSchema = outputSchema(CLINICAL_PHOTO_CONTRACT, {
  /** The cavity-detection dataset's two labels: is a cavity visible or not. */
  label: PhotoLabelSchema.optional(),
  /** Severity as stated; a normal photo is 'none' only when the answer says there is nothing. */
  severity: SeveritySchema.optional(),
  /** The answer's sentences describing what is seen. */
  findings: z.array(z.string()).optional(),
  /** The answer's sentences recommending care. */
  recommendations: z.array(z.string()).optional(),
});
export type ClinicalPhotoOutput = z.infer<typeof ClinicalPhotoOutputSchema>;

export const CLINICAL_PHOTO_JSON_SCHEMA = jsonSchemaOf(ClinicalPhotoOutputSchema);
