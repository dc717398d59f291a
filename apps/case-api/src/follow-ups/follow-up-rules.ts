import type { ReviewDecision, Urgency } from '@dg/contracts';

/**
 * Follow-ups from a reviewed assessment. Only what a clinician accepted or edited schedules anything;
 * rejected and unreviewed findings never do. Due dates count from the assessment's completion, not
 * from the review, so reviewing the same decisions again gives the same schedule (idempotent).
 * The intervals are the platform defaults until libs/dental's task rules (issue 4) replace them.
 */
export const INTERVAL_DAYS: Record<Urgency, number> = { emergency: 1, urgent: 7, soon: 30, routine: 180 };
export const RECALL_DAYS = 180;

export interface RuleFinding {
  id: string;
  condition: string;
  teeth: number[];
  urgency: Urgency;
  decision: ReviewDecision | null;
}

export interface PlannedFollowUp {
  ruleKey: string;
  findingId: string | null;
  reason: string;
  urgency: Urgency;
  dueAt: Date;
}

const DAY_MS = 24 * 3600 * 1000;

export function planFollowUps(input: {
  task: string;
  completedAt: Date;
  overall: ReviewDecision;
  findings: RuleFinding[];
}): PlannedFollowUp[] {
  if (input.overall === 'rejected') return [];
  const due = (days: number) => new Date(input.completedAt.getTime() + days * DAY_MS);
  const planned = input.findings
    .filter((f) => f.decision === 'accepted' || f.decision === 'edited')
    .map((f) => ({
      ruleKey: `finding:${f.id}`,
      findingId: f.id,
      reason: `Follow up ${f.condition}${f.teeth.length ? ` (teeth ${f.teeth.join(', ')})` : ''}`,
      urgency: f.urgency,
      dueAt: due(INTERVAL_DAYS[f.urgency]),
    }));
  if (planned.length) return planned;
  return [
    {
      ruleKey: 'recall',
      findingId: null,
      reason: `Routine recall after the reviewed ${input.task} assessment`,
      urgency: 'routine',
      dueAt: due(RECALL_DAYS),
    },
  ];
}
