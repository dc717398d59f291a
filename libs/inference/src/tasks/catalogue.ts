import type { CaseText, TaskName } from '@dg/contracts';
import type { TaskDefinition, TaskOutput } from './task-definition';

/**
 * Version 1 of every task: prompts phrased like the card's training questions. Output contract
 * "text@1" keeps the model's answer as text and is marked unparsed: the structured contracts and
 * parsers of each task are their own piece of work (tasks issue), and nothing here invents fields.
 */
const textOnly = (text: string): TaskOutput => ({ contract: 'text@1', parseStatus: 'unparsed', text });

const image = (name: TaskName, question: string): TaskDefinition => ({
  name,
  promptVersion: `${name}@1`,
  contractVersion: 'text@1',
  needsImage: true,
  maxNewTokens: 'image',
  buildPrompt: () => question,
  parse: textOnly,
});

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

export const TASKS: Record<TaskName, TaskDefinition> = {
  'clinical-photo-analysis': image(
    'clinical-photo-analysis',
    'Analyze this clinical dental photograph. Is there a cavity? Describe the findings and their severity.',
  ),
  'pathology-classification': image(
    'pathology-classification',
    'What dental condition is shown in this panoramic X-ray? Give the most likely diagnosis, the differential diagnosis and the clinical urgency.',
  ),
  'localized-findings': image(
    'localized-findings',
    'Identify and localize any pathological findings in this panoramic radiograph, naming the dental region of each.',
  ),
  'dentition-assessment': image(
    'dentition-assessment',
    'Assess the dentition in this panoramic radiograph: completeness, tooth types present and an anatomical overview.',
  ),
  'radiographic-report': image(
    'radiographic-report',
    'Provide a structured radiographic report for this panoramic X-ray with region-specific findings, differential diagnoses and clinical recommendations.',
  ),
  'case-analysis': {
    name: 'case-analysis',
    promptVersion: 'case-analysis@1',
    contractVersion: 'text@1',
    needsImage: false,
    maxNewTokens: 'text',
    buildPrompt: (input) => `${describeCase(input.caseText ?? {})}\nWhat is your assessment and management plan?`,
    parse: textOnly,
  },
};

export function taskDefinition(name: TaskName): TaskDefinition {
  return TASKS[name];
}
