import { z } from 'zod';

/** Ordered from least to most pressing: comparisons use the index. */
export const URGENCY_LEVELS = ['routine', 'soon', 'urgent', 'emergency'] as const;
export const UrgencySchema = z.enum(URGENCY_LEVELS);
export type Urgency = z.infer<typeof UrgencySchema>;

export interface UrgencyRule {
  level: Urgency;
  /** When the patient should be seen, in days after the assessment: [earliest, latest]. */
  seeWithinDays: readonly [number, number];
  rule: string;
}

/**
 * The rule behind each level. The windows are the platform's defaults (the card states urgency
 * in words only); follow-up schedules use them when a recommendation names no interval.
 */
export const URGENCY_RULES: Record<Urgency, UrgencyRule> = {
  routine: {
    level: 'routine',
    seeWithinDays: [0, 180],
    rule: 'No active disease or only findings to monitor: next regular recall (within 6 months).',
  },
  soon: {
    level: 'soon',
    seeWithinDays: [0, 28],
    rule: 'Disease that progresses without treatment but causes no acute symptoms (e.g. caries, asymptomatic impaction): treat within 4 weeks.',
  },
  urgent: {
    level: 'urgent',
    seeWithinDays: [0, 2],
    rule: 'Pain, localized infection or a fractured tooth: see within 48 hours.',
  },
  emergency: {
    level: 'emergency',
    seeWithinDays: [0, 0],
    rule: 'Spreading infection, facial swelling, airway or systemic involvement, uncontrolled bleeding or trauma: same day.',
  },
};

export const compareUrgency = (a: Urgency, b: Urgency): number => URGENCY_LEVELS.indexOf(a) - URGENCY_LEVELS.indexOf(b);

export const maxUrgency = (levels: readonly Urgency[]): Urgency | undefined =>
  levels.reduce<Urgency | undefined>((m, l) => (m === undefined || compareUrgency(l, m) > 0 ? l : m), undefined);

/**
 * Words the card's answers use for urgency. Negated forms ("non-urgent", "no immediate") are taken
 * out before the pressing levels are looked for, so they never read as "urgent". When a text names
 * several levels the most pressing wins: under-triage is the costlier mistake. Undefined when none.
 */
const NEGATED =
  /\b(non[- ]?urgent|not (an? )?(urgent|emergency)|low (clinical )?urgency|no immediate|non[- ]?emergent)\b/gi;
const URGENCY_WORDS: [RegExp, Urgency][] = [
  [/\b(routine|elective|regular recall)\b|\burgency\W{0,3}(is )?low\b/i, 'routine'],
  [
    /\b(moderate (clinical )?(urgency|priority)|soon|timely|within (a few|\d+(-\d+)?) weeks?|semi[- ]urgent)\b|\burgency\W{0,3}(is )?moderate\b/i,
    'soon',
  ],
  [
    /\burgency\W{0,3}(is )?high\b|\b(high (clinical )?(urgency|priority)|urgent(ly)?|as soon as possible|promptly|within (24|48) hours)\b/i,
    'urgent',
  ],
  [/\b(emergency|emergent|immediate(ly)?|same[- ]day|life[- ]threatening)\b/i, 'emergency'],
];

export function urgencyFromText(text: string): Urgency | undefined {
  const negated = (text.match(NEGATED) ?? []).length > 0;
  const rest = text.replace(NEGATED, ' ');
  const found = URGENCY_WORDS.filter(([re]) => re.test(rest)).map(([, level]) => level);
  if (negated) found.push('routine');
  return maxUrgency(found);
}
