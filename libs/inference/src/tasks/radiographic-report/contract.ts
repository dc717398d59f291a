import { PathologyClassSchema, RegionSchema, UrgencySchema } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const RADIOGRAPHIC_REPORT_CONTRACT = 'radiographic-report.output@1';

export const RegionFindingSchema = z
  .object({
    /** Absent when the line names no region or an ambiguous one. */
    region: RegionSchema.optional(),
    regionName: z.string().optional(),
    /** Classes the line names as present ('healthy' for a region reported normal). */
    conditions: z.array(PathologyClassSchema),
    description: z.string(),
  })
  .strict();

export const RadiographicReportOutputSchema = outputSchema(RADIOGRAPHIC_REPORT_CONTRACT, {
  findings: z.array(RegionFindingSchema).optional(),
  differential: z.array(PathologyClassSchema).optional(),
  recommendations: z.array(z.string()).optional(),
  urgency: UrgencySchema.optional(),
});
export type RadiographicReportOutput = z.infer<typeof RadiographicReportOutputSchema>;
export type RegionFinding = z.infer<typeof RegionFindingSchema>;

export const RADIOGRAPHIC_REPORT_JSON_SCHEMA = jsonSchemaOf(RadiographicReportOutputSchema);
