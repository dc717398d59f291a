import type { TaskDefinition } from '../task-definition';
import {
  DENTITION_ASSESSMENT_CONTRACT,
  DENTITION_ASSESSMENT_JSON_SCHEMA,
  DentitionAssessmentOutputSchema,
} from './contract';
import { parseDentitionAssessment } from './parse';

/** v2: the card's dentition questions (completeness, tooth types, anatomical overview), one sentence each. */
export const DENTITION_ASSESSMENT_PROMPT =
  'Is the dentition complete in this panoramic radiograph? Which tooth types are present? Give an anatomical overview.';

export const dentitionAssessmentTask: TaskDefinition = {
  name: 'dentition-assessment',
  promptVersion: 'dentition-assessment@2',
  contractVersion: DENTITION_ASSESSMENT_CONTRACT,
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => DENTITION_ASSESSMENT_PROMPT,
  parse: parseDentitionAssessment,
  outputSchema: DentitionAssessmentOutputSchema,
  jsonSchema: DENTITION_ASSESSMENT_JSON_SCHEMA,
  scoring: [
    {
      field: 'completeness',
      version: 'dentition-assessment.completeness@1',
      question: 'Is the dentition complete in this panoramic radiograph?',
      candidates: [
        { value: 'complete', text: 'Yes' },
        { value: 'incomplete', text: 'No' },
      ],
    },
  ],
};
