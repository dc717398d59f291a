import { z } from 'zod';
import { IdSchema } from './ids';

const text = (max: number) => z.string().trim().min(1).max(max);

/** Patient details as the card's case structure uses them; the record itself lives in case-api. */
export const PatientInputSchema = z
  .object({
    externalId: text(128).describe('The id the practice-management system uses for this patient'),
    age: z.number().int().min(0).max(130).optional(),
    sex: z.enum(['female', 'male', 'other', 'unknown']).optional(),
  })
  .strict();

export const CreateCaseRequestSchema = z
  .object({
    clinicId: IdSchema.optional(),
    patient: PatientInputSchema,
    chiefComplaint: text(2000).optional(),
    clinicalFindings: text(4000).optional(),
    radiographicFindings: text(4000).optional(),
    medicalHistory: text(4000).optional(),
  })
  .strict();
export type CreateCaseRequest = z.infer<typeof CreateCaseRequestSchema>;

export const CaseViewSchema = z.object({
  id: IdSchema,
  patientId: IdSchema,
  patientExternalId: z.string(),
  clinicId: IdSchema.nullable(),
  status: z.string(),
  chiefComplaint: z.string().nullable(),
  clinicalFindings: z.string().nullable(),
  radiographicFindings: z.string().nullable(),
  medicalHistory: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type CaseView = z.infer<typeof CaseViewSchema>;
