import { FollowUpEntrySchema, UrgencySchema } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const CASE_ANALYSIS_CONTRACT = 'case-analysis.output@1';

const lines = z.array(z.string());

/** The card's structured assessment, section by section; the case has 98 conditions, so text, not enums. */
export const CaseAnalysisOutputSchema = outputSchema(CASE_ANALYSIS_CONTRACT, {
  diagnosis: z.string().optional(),
  differential: lines.optional(),
  managementPlan: lines.optional(),
  antibioticConsiderations: lines.optional(),
  followUp: lines.optional(),
  patientCounseling: lines.optional(),
  /** Only from words the answer uses about urgency; never inferred from the diagnosis. */
  urgency: UrgencySchema.optional(),
  /** `followUp` turned into dates by @dg/dental's rules; items with no interval are not scheduled. */
  followUpSchedule: z.array(FollowUpEntrySchema).optional(),
});
export type CaseAnalysisOutput = z.infer<typeof CaseAnalysisOutputSchema>;

export const CASE_ANALYSIS_JSON_SCHEMA = jsonSchemaOf(CaseAnalysisOutputSchema);
