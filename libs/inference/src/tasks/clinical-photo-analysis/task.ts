import { PHOTO_LABELS, SEVERITY_LEVELS } from '@dg/dental';
import type { TaskDefinition } from '../task-definition';
import { CLINICAL_PHOTO_CONTRACT, CLINICAL_PHOTO_JSON_SCHEMA, ClinicalPhotoOutputSchema } from './contract';
import { parseClinicalPhoto } from './parse';

/** v2: the binary, description and severity question types of the card's photo data, in that order. */
export const CLINICAL_PHOTO_PROMPT =
  'Is there a cavity in this clinical dental photograph? Describe the clinical findings and assess their severity.';

export const clinicalPhotoAnalysisTask: TaskDefinition = {
  name: 'clinical-photo-analysis',
  promptVersion: 'clinical-photo-analysis@2',
  contractVersion: CLINICAL_PHOTO_CONTRACT,
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => CLINICAL_PHOTO_PROMPT,
  parse: parseClinicalPhoto,
  outputSchema: ClinicalPhotoOutputSchema,
  jsonSchema: CLINICAL_PHOTO_JSON_SCHEMA,
  scoring: [
    {
      field: 'label',
      version: 'clinical-photo-analysis.label@1',
      question: 'Is there a cavity in this clinical dental photograph?',
      candidates: PHOTO_LABELS.map((l) => ({ value: l, text: l === 'cavity' ? 'Yes' : 'No' })),
    },
    {
      field: 'severity',
      version: 'clinical-photo-analysis.severity@1',
      question: 'How severe is the condition shown in this clinical dental photograph?',
      candidates: SEVERITY_LEVELS.map((s) => ({
        value: s,
        text: s === 'none' ? 'None' : s[0]!.toUpperCase() + s.slice(1),
      })),
    },
  ],
};
