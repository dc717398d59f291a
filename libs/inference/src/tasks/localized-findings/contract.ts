import { PathologyClassSchema, RegionSchema } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const LOCALIZED_FINDINGS_CONTRACT = 'localized-findings.output@1';

export const LocalizedFindingSchema = z
  .object({
    condition: PathologyClassSchema,
    /** Absent when the answer names no region, or an ambiguous one, for this finding. */
    region: RegionSchema.optional(),
    /** The region in the card's words ("right mandibular region"), derived from `region`. */
    regionName: z.string().optional(),
    /** The clause the finding was read from. */
    source: z.string(),
  })
  .strict();

export const LocalizedFindingsOutputSchema = outputSchema(LOCALIZED_FINDINGS_CONTRACT, {
  findings: z.array(LocalizedFindingSchema).optional(),
  /** Set only when the answer says there are no pathological findings. */
  noFindings: z.literal(true).optional(),
});
export type LocalizedFindingsOutput = z.infer<typeof LocalizedFindingsOutputSchema>;
export type LocalizedFinding = z.infer<typeof LocalizedFindingSchema>;

export const LOCALIZED_FINDINGS_JSON_SCHEMA = jsonSchemaOf(LocalizedFindingsOutputSchema);
