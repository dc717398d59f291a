import type { TaskDefinition } from '../task-definition';
import { LOCALIZED_FINDINGS_CONTRACT, LOCALIZED_FINDINGS_JSON_SCHEMA, LocalizedFindingsOutputSchema } from './contract';
import { parseLocalizedFindings } from './parse';

/** v2: the card's "localized findings" question type, asking for the region as its answers give it. */
export const LOCALIZED_FINDINGS_PROMPT =
  'Identify and localize the pathological findings in this panoramic radiograph. For each finding, name the condition and the dental region where it is located.';

export const localizedFindingsTask: TaskDefinition = {
  name: 'localized-findings',
  promptVersion: 'localized-findings@2',
  contractVersion: LOCALIZED_FINDINGS_CONTRACT,
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => LOCALIZED_FINDINGS_PROMPT,
  parse: parseLocalizedFindings,
  outputSchema: LocalizedFindingsOutputSchema,
  jsonSchema: LOCALIZED_FINDINGS_JSON_SCHEMA,
  // Findings are a list of (class, region) pairs, not one class field: no candidate scoring.
};
