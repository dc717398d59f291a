import { URGENCY_LEVELS } from '@dg/dental';
import type { TaskDefinition } from '../task-definition';
import { PATHOLOGY_CANDIDATES } from '../shared/classes';
import {
  PATHOLOGY_CLASSIFICATION_CONTRACT,
  PATHOLOGY_CLASSIFICATION_JSON_SCHEMA,
  PathologyClassificationOutputSchema,
} from './contract';
import { parsePathologyClassification } from './parse';

/**
 * v2: the card's open-ended diagnosis question, then its differential and urgency question types
 * in the order the contract reads them. v1 asked the same in one run-on sentence.
 */
export const PATHOLOGY_CLASSIFICATION_PROMPT =
  'What dental condition is shown in this panoramic X-ray? ' +
  'What is the differential diagnosis, and what is the clinical urgency?';

export const pathologyClassificationTask: TaskDefinition = {
  name: 'pathology-classification',
  promptVersion: 'pathology-classification@2',
  contractVersion: PATHOLOGY_CLASSIFICATION_CONTRACT,
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => PATHOLOGY_CLASSIFICATION_PROMPT,
  parse: parsePathologyClassification,
  outputSchema: PathologyClassificationOutputSchema,
  jsonSchema: PATHOLOGY_CLASSIFICATION_JSON_SCHEMA,
  scoring: [
    {
      field: 'diagnosis',
      version: 'pathology-classification.diagnosis@1',
      question: 'What dental condition is shown in this panoramic X-ray?',
      candidates: PATHOLOGY_CANDIDATES,
    },
    {
      field: 'urgency',
      version: 'pathology-classification.urgency@1',
      question: 'What is the clinical urgency of the condition shown in this panoramic X-ray?',
      candidates: URGENCY_LEVELS.map((u) => ({ value: u, text: u[0]!.toUpperCase() + u.slice(1) })),
    },
  ],
};
