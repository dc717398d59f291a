import { planFollowUps, type RuleFinding } from './follow-up-rules';

const completedAt = new Date('2026-01-10T09:00:00.000Z');
const finding = (id: string, over: Partial<RuleFinding>): RuleFinding => ({
  id,
  condition: 'caries',
  teeth: [46],
  urgency: 'soon',
  decision: 'accepted',
  ...over,
});

describe('planFollowUps', () => {
  it('schedules one follow-up per accepted or edited finding, due by its urgency', () => {
    const plan = planFollowUps({
      task: 'pathology-classification',
      completedAt,
      overall: 'accepted',
      findings: [
        finding('a', { urgency: 'emergency', condition: 'infection' }),
        finding('b', { decision: 'edited', urgency: 'routine' }),
        finding('c', { decision: 'rejected' }),
        finding('d', { decision: null }),
      ],
    });
    expect(plan.map((p) => [p.ruleKey, p.urgency, p.dueAt.toISOString()])).toEqual([
      ['finding:a', 'emergency', '2026-01-11T09:00:00.000Z'],
      ['finding:b', 'routine', '2026-07-09T09:00:00.000Z'],
    ]);
    expect(plan[0]!.reason).toBe('Follow up infection (teeth 46)');
  });

  it('falls back to a routine recall when nothing was accepted, and plans nothing for a rejected assessment', () => {
    const none = planFollowUps({ task: 'case-analysis', completedAt, overall: 'accepted', findings: [] });
    expect(none).toEqual([expect.objectContaining({ ruleKey: 'recall', urgency: 'routine', findingId: null })]);
    expect(planFollowUps({ task: 'x', completedAt, overall: 'rejected', findings: [finding('a', {})] })).toEqual([]);
  });

  it('gives the same plan for the same decisions (regeneration is idempotent)', () => {
    const input = { task: 't', completedAt, overall: 'edited' as const, findings: [finding('a', {})] };
    expect(planFollowUps(input)).toEqual(planFollowUps(input));
  });
});
