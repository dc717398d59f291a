import type { TaskDefinition } from '../task-definition';
import {
  RADIOGRAPHIC_REPORT_CONTRACT,
  RADIOGRAPHIC_REPORT_JSON_SCHEMA,
  RadiographicReportOutputSchema,
} from './contract';
import { parseRadiographicReport } from './parse';

/** v2: the card's "structured radiographic report" question, naming the sections the contract reads. */
export const RADIOGRAPHIC_REPORT_PROMPT =
  'Provide a structured radiographic report for this panoramic X-ray: findings by dental region, differential diagnosis and clinical recommendations.';

export const radiographicReportTask: TaskDefinition = {
  name: 'radiographic-report',
  promptVersion: 'radiographic-report@2',
  contractVersion: RADIOGRAPHIC_REPORT_CONTRACT,
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => RADIOGRAPHIC_REPORT_PROMPT,
  parse: parseRadiographicReport,
  outputSchema: RadiographicReportOutputSchema,
  jsonSchema: RADIOGRAPHIC_REPORT_JSON_SCHEMA,
  // Findings are per region, several classes each: no single class field to score.
};
