import { followUpSchedule, statedInterval } from './follow-up';

describe('statedInterval', () => {
  it.each<[string, [number, number] | undefined]>([
    ['Review in 1 week', [7, 7]],
    ['Reassess within 48 hours if symptoms persist', [0, 2]],
    ['Recall in 3-6 months', [90, 180]],
    ['6-month recall radiograph', [180, 180]],
    ['Follow up after two weeks', [14, 14]],
    ['Within a few weeks', undefined],
    ['See the patient the next day', [1, 1]],
    ['Annual panoramic radiograph', [365, 365]],
    ['Return at the next regular recall', [0, 180]],
    ['Monitor healing', undefined],
  ])('%s -> %j', (text, interval) => expect(statedInterval(text)).toEqual(interval));
});

describe('followUpSchedule', () => {
  const date = '2026-11-28';

  it('uses stated intervals, sorted by due date, with dates from the assessment day', () => {
    const { schedule, unscheduled } = followUpSchedule(
      ['Recall in 6 months', 'Post-operative review in 1 week', 'Reassess within 48 hours'],
      date,
    );
    expect(unscheduled).toEqual([]);
    expect(schedule.map((e) => [e.action, e.dueFrom, e.dueBy, e.reason])).toEqual([
      ['Reassess within 48 hours', '2026-11-28', '2026-11-30', 'stated-interval'],
      ['Post-operative review in 1 week', '2026-12-05', '2026-12-05', 'stated-interval'],
      ['Recall in 6 months', '2027-05-27', '2027-05-27', 'stated-interval'],
    ]);
  });

  it('falls back on the urgency window when no interval is stated', () => {
    const { schedule } = followUpSchedule(['Evaluate for extraction'], date, 'urgent');
    expect(schedule).toEqual([
      {
        action: 'Evaluate for extraction',
        earliestDays: 0,
        latestDays: 2,
        dueFrom: '2026-11-28',
        dueBy: '2026-11-30',
        reason: 'urgency-default',
        urgency: 'urgent',
      },
    ]);
  });

  it('never invents a date for a recommendation with no interval and no urgency', () => {
    expect(followUpSchedule(['Monitor healing'], date)).toEqual({ schedule: [], unscheduled: ['Monitor healing'] });
  });

  it('refuses an assessment date that is not a date', () => {
    expect(() => followUpSchedule(['Review in 1 week'], 'yesterday')).toThrow(RangeError);
  });
});

describe('followUpSchedule without a date', () => {
  it('keeps the relative days only', () => {
    const { schedule } = followUpSchedule(['Review in 1 week'], undefined);
    expect(schedule[0]).toEqual({
      action: 'Review in 1 week',
      earliestDays: 7,
      latestDays: 7,
      reason: 'stated-interval',
    });
  });
});
