import { followUpSchedule, urgencyFromText } from '@dg/dental';
import type { ParseContext } from '../task-definition';
import { buildOutput } from '../shared/envelope';
import { clean, items, sections } from '../shared/text';
import { CASE_ANALYSIS_CONTRACT, type CaseAnalysisOutput } from './contract';

const HEADINGS = {
  diagnosis: /^(provisional |working |final |clinical )?(diagnosis|assessment)$/i,
  differential: /^differential( diagnos[ie]s)?$/i,
  managementPlan: /^(management|treatment)( plan)?$|^plan$/i,
  antibioticConsiderations: /^antibiotic/i,
  followUp: /^follow[- ]?up( recommendations?| plan| schedule)?$/i,
  patientCounseling: /^patient (counsel+ing|education|instructions)$|^counsel+ing$/i,
  urgency: /^(clinical )?(urgency|priority|triage)$/i,
};
const SECTIONS = [
  'diagnosis',
  'differential',
  'managementPlan',
  'antibioticConsiderations',
  'followUp',
  'patientCounseling',
] as const;

/**
 * The card's instruct answers: a structured assessment under headings. Each heading's body becomes
 * its field; an answer without headings yields only a diagnosis it states in so many words.
 */
export function parseCaseAnalysis(text: string, ctx?: ParseContext): CaseAnalysisOutput {
  const sec = sections(text, HEADINGS);
  const list = (k: keyof typeof HEADINGS) => (sec[k] ? items(sec[k]) : []);
  const stated = /\b(?:diagnosis is|consistent with a diagnosis of|diagnosed with)\s+([^.\n]+)/i.exec(clean(text));
  const diagnosis = list('diagnosis')[0] ?? stated?.[1]?.trim();
  const urgencyLines = [list('urgency').join(' ') && `urgency: ${list('urgency').join(' ')}`]
    // "Emergency pulpectomy" names a procedure, not the case's urgency: only urgency words count here.
    .concat([...list('diagnosis'), ...list('managementPlan')].filter((s) => /urgen|priority/i.test(s)))
    .filter(Boolean);
  const urgency = urgencyLines.length ? urgencyFromText(urgencyLines.join(' ')) : undefined;
  const followUp = list('followUp');
  const { schedule } = followUpSchedule(followUp, validDate(ctx?.assessmentDate), urgency);
  return buildOutput({
    contract: CASE_ANALYSIS_CONTRACT,
    text,
    ctx,
    fields: {
      diagnosis,
      differential: list('differential'),
      managementPlan: list('managementPlan'),
      antibioticConsiderations: list('antibioticConsiderations'),
      followUp,
      patientCounseling: list('patientCounseling'),
      urgency,
      followUpSchedule: schedule,
    },
    complete: SECTIONS.every((k) => (k === 'diagnosis' ? diagnosis : list(k).length)),
  }) as CaseAnalysisOutput;
}

/** A date the caller got wrong must not crash the parse: the schedule then keeps relative days only. */
function validDate(iso: string | undefined): string | undefined {
  return iso && /^\d{4}-\d{2}-\d{2}/.test(iso) && !Number.isNaN(Date.parse(iso.slice(0, 10))) ? iso : undefined;
}
