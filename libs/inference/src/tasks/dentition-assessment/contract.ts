import { TOOTH_TYPES } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const DENTITION_ASSESSMENT_CONTRACT = 'dentition-assessment.output@1';

const ToothTypeSchema = z.enum(TOOTH_TYPES);

export const DentitionAssessmentOutputSchema = outputSchema(DENTITION_ASSESSMENT_CONTRACT, {
  completeness: z.enum(['complete', 'incomplete']).optional(),
  /** The number of teeth the answer counts, if it counts them. */
  toothCount: z.number().int().min(0).max(52).optional(),
  dentition: z.enum(['permanent', 'primary', 'mixed']).optional(),
  /** Tooth types the answer names as present (the card's eight tooth-type classes). */
  toothTypesPresent: z.array(ToothTypeSchema).optional(),
  /** Tooth types the answer names as missing or absent. */
  toothTypesMissing: z.array(ToothTypeSchema).optional(),
  /** Sentences of the anatomical overview (bone, sinuses, condyles, canals). */
  overview: z.array(z.string()).optional(),
});
export type DentitionAssessmentOutput = z.infer<typeof DentitionAssessmentOutputSchema>;

export const DENTITION_ASSESSMENT_JSON_SCHEMA = jsonSchemaOf(DentitionAssessmentOutputSchema);
