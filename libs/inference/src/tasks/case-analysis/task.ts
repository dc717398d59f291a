import type { CaseText } from '@dg/contracts';
import type { TaskDefinition } from '../task-definition';
import { CASE_ANALYSIS_CONTRACT, CASE_ANALYSIS_JSON_SCHEMA, CaseAnalysisOutputSchema } from './contract';
import { parseCaseAnalysis } from './parse';

/** The card's case structure: demographics, chief complaint, clinical, radiographic, medical history. */
export function describeCase(c: CaseText): string {
  const who = [c.age !== undefined ? `${c.age}-year-old` : undefined, c.sex && c.sex !== 'unknown' ? c.sex : undefined]
    .filter(Boolean)
    .join(' ');
  const parts = [
    `Patient: ${who || 'adult patient'}.`,
    c.chiefComplaint && `Chief complaint: ${c.chiefComplaint}`,
    c.clinicalFindings && `Clinical findings: ${c.clinicalFindings}`,
    c.radiographicFindings && `Radiographic findings: ${c.radiographicFindings}`,
    c.medicalHistory && `Medical history: ${c.medicalHistory}`,
  ].filter(Boolean);
  return parts.join('\n');
}

/** The card's own question for clinical cases. Unchanged from v1, so the prompt version stays 1. */
export const CASE_ANALYSIS_QUESTION = 'What is your assessment and management plan?';

export const caseAnalysisTask: TaskDefinition = {
  name: 'case-analysis',
  promptVersion: 'case-analysis@1',
  contractVersion: CASE_ANALYSIS_CONTRACT,
  needsImage: false,
  maxNewTokens: 'text',
  buildPrompt: (input) => `${describeCase(input.caseText ?? {})}\n${CASE_ANALYSIS_QUESTION}`,
  parse: parseCaseAnalysis,
  outputSchema: CaseAnalysisOutputSchema,
  jsonSchema: CASE_ANALYSIS_JSON_SCHEMA,
  // 98 conditions in free text: no closed class list to score.
};
