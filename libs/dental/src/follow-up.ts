import { z } from 'zod';
import { URGENCY_RULES, UrgencySchema, type Urgency } from './urgency';

/** One entry of a machine-readable follow-up schedule. */
export const FollowUpEntrySchema = z.object({
  /** The recommendation as the model said it. */
  action: z.string(),
  /** Earliest and latest day after the assessment date; equal when one point in time was stated. */
  earliestDays: z.number().int().nonnegative(),
  latestDays: z.number().int().nonnegative(),
  /** ISO dates (YYYY-MM-DD): the assessment date plus earliestDays / latestDays, when it is known. */
  dueFrom: z.iso.date().optional(),
  dueBy: z.iso.date().optional(),
  /** Why this interval: the text stated one, or the urgency's default window applied. */
  reason: z.enum(['stated-interval', 'urgency-default']),
  urgency: UrgencySchema.optional(),
});
export type FollowUpEntry = z.infer<typeof FollowUpEntrySchema>;

const UNIT_DAYS: Record<string, number> = { hour: 1 / 24, day: 1, week: 7, month: 30, year: 365 };
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
};
const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : NUMBER_WORDS[s.toLowerCase()]);
const days = (n: number, unit: string) => Math.ceil(n * UNIT_DAYS[unit.toLowerCase().replace(/s$/, '')]!);

const N = String.raw`(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)`;
const UNIT = String.raw`(hours?|days?|weeks?|months?|years?)`;

/**
 * The interval a recommendation states, in days after the assessment, or undefined. Hours round up
 * to whole days (a 48-hour review is due by day 2). "Within X" means any time from now to X; "in X",
 * "after X" and "X-month recall" mean at X; ranges ("in 3-6 months") keep both ends.
 */
export function statedInterval(text: string): [number, number] | undefined {
  const t = text.toLowerCase();
  let m = new RegExp(String.raw`\b${N}\s*(?:-|to|–)\s*${N}[- ]${UNIT}\b`).exec(t);
  if (m) return [days(num(m[1]!)!, m[3]!), days(num(m[2]!)!, m[3]!)];
  m = new RegExp(String.raw`\bwithin (?:the next )?${N}[- ]${UNIT}\b`).exec(t);
  if (m) return [0, days(num(m[1]!)!, m[2]!)];
  m = new RegExp(String.raw`\b${N}[- ]${UNIT}\b`).exec(t);
  if (m) {
    const d = days(num(m[1]!)!, m[2]!);
    return [d, d];
  }
  if (/\b(same day|today|immediately)\b/.test(t)) return [0, 0];
  if (/\b(tomorrow|next day)\b/.test(t)) return [1, 1];
  if (/\b(annual(ly)?|yearly)\b/.test(t)) return [365, 365];
  if (/\b(next|regular|routine) (recall|check-?up)\b/.test(t)) return [...URGENCY_RULES.routine.seeWithinDays];
  return undefined;
}

function addDays(isoDate: string, n: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an ISO date: ${isoDate}`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * Deterministic schedule from follow-up recommendations. A stated interval wins; otherwise the
 * urgency's default window applies; a recommendation with neither is left out (a date the model did
 * not imply would be invented) and returned in `unscheduled`. Entries are sorted by due date. Without
 * an assessment date the entries keep their relative days only.
 */
export function followUpSchedule(
  recommendations: readonly string[],
  assessmentDate: string | undefined,
  urgency?: Urgency,
): { schedule: FollowUpEntry[]; unscheduled: string[] } {
  const schedule: FollowUpEntry[] = [];
  const unscheduled: string[] = [];
  for (const action of recommendations) {
    const stated = statedInterval(action);
    const window = stated ?? (urgency ? URGENCY_RULES[urgency].seeWithinDays : undefined);
    if (!window) {
      unscheduled.push(action);
      continue;
    }
    schedule.push({
      action,
      earliestDays: window[0],
      latestDays: window[1],
      ...(assessmentDate
        ? { dueFrom: addDays(assessmentDate, window[0]), dueBy: addDays(assessmentDate, window[1]) }
        : {}),
      reason: stated ? 'stated-interval' : 'urgency-default',
      ...(urgency ? { urgency } : {}),
    });
  }
  schedule.sort((a, b) => a.latestDays - b.latestDays || a.earliestDays - b.earliestDays);
  return { schedule, unscheduled };
}
