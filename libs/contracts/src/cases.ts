import { z } from 'zod';
import { AssessmentViewSchema } from './assessments';
import { FindingViewSchema } from './findings';
import { IdSchema } from './ids';
import { ModalitySchema } from './images';

const text = (max: number) => z.string().trim().min(1).max(max);

/** Patient details as the card's case structure uses them; the record itself lives in case-api. */
export const PatientInputSchema = z
  .object({
    pms: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)
      .default('default')
      .describe('Which practice-management system the external id comes from'),
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
  patientPms: z.string(),
  clinicId: IdSchema.nullable(),
  status: z.string(),
  chiefComplaint: z.string().nullable(),
  clinicalFindings: z.string().nullable(),
  radiographicFindings: z.string().nullable(),
  medicalHistory: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type CaseView = z.infer<typeof CaseViewSchema>;

export const CASE_STATUSES = ['open', 'closed'] as const;

export const UpdateCaseRequestSchema = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    chiefComplaint: text(2000).optional(),
    clinicalFindings: text(4000).optional(),
    radiographicFindings: text(4000).optional(),
    medicalHistory: text(4000).optional(),
  })
  .strict();
export type UpdateCaseRequest = z.infer<typeof UpdateCaseRequestSchema>;

export const CaseListQuerySchema = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    clinicId: IdSchema.optional(),
    patientId: IdSchema.optional(),
    createdAfter: z.iso.datetime().optional(),
    sort: z.enum(['createdAt', '-createdAt']).default('-createdAt'),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type CaseListQuery = z.infer<typeof CaseListQuerySchema>;

export const CaseImageSchema = z.object({
  id: IdSchema,
  modality: ModalitySchema,
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.iso.datetime(),
});

/** A case with everything hanging off it: what a clinician opens and what the benchmark reads. */
export const CaseDetailSchema = CaseViewSchema.extend({
  images: z.array(CaseImageSchema),
  assessments: z.array(AssessmentViewSchema),
  findings: z.array(FindingViewSchema),
});
export type CaseDetail = z.infer<typeof CaseDetailSchema>;

export const PatientViewSchema = z.object({
  id: IdSchema,
  pms: z.string(),
  externalId: z.string(),
  age: z.number().int().nullable(),
  sex: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type PatientView = z.infer<typeof PatientViewSchema>;

export const PatientListQuerySchema = z
  .object({
    pms: z.string().max(63).optional(),
    externalId: z.string().max(128).optional(),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type PatientListQuery = z.infer<typeof PatientListQuerySchema>;
