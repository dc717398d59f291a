import { PathologyClassSchema, UrgencySchema } from '@dg/dental';
import { z } from 'zod';
import { outputSchema } from '../shared/envelope';
import { jsonSchemaOf } from '../shared/json-schema';

export const PATHOLOGY_CLASSIFICATION_CONTRACT = 'pathology-classification.output@1';

export const PathologyClassificationOutputSchema = outputSchema(PATHOLOGY_CLASSIFICATION_CONTRACT, {
  /** The class the answer gives as the diagnosis: the first named outside differential/urgency. */
  diagnosis: PathologyClassSchema.optional(),
  /** Further classes the answer reports as present besides the diagnosis. */
  otherFindings: z.array(PathologyClassSchema).optional(),
  /** Classes named as differential diagnoses ("consider", "rule out", "differential"). */
  differential: z.array(PathologyClassSchema).optional(),
  /** The urgency the answer states; never the class's default, which would put words in its mouth. */
  urgency: UrgencySchema.optional(),
});
export type PathologyClassificationOutput = z.infer<typeof PathologyClassificationOutputSchema>;

export const PATHOLOGY_CLASSIFICATION_JSON_SCHEMA = jsonSchemaOf(PathologyClassificationOutputSchema);
