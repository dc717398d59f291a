import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import fixtures from './fixtures/answers.json';
import { caseAnalysisTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('case-analysis prompt', () => {
  it('follows the card case structure and ends with its question', () => {
    const prompt = task.buildPrompt({
      caseText: { age: 35, sex: 'male', chiefComplaint: 'Throbbing pain lower right', medicalHistory: 'None' },
    });
    expect(prompt).toBe(
      'Patient: 35-year-old male.\nChief complaint: Throbbing pain lower right\nMedical history: None\n' +
        'What is your assessment and management plan?',
    );
  });
});

describe('case-analysis follow-up dates', () => {
  const text = 'Diagnosis: Pericoronitis.\nFollow-up: Re-evaluate in 3 days.';

  it("takes the worker's completedAt timestamp as the assessment date", () => {
    const out = task.parse(text, { assessmentDate: '2026-11-28T10:15:00.000Z' });
    expect(out['followUpSchedule']).toEqual([
      expect.objectContaining({ dueFrom: '2026-12-01', dueBy: '2026-12-01', reason: 'stated-interval' }),
    ]);
  });

  it('keeps relative days, and does not crash, when the date is not a date', () => {
    const out = task.parse(text, { assessmentDate: 'yesterday' });
    expect(out['followUpSchedule']).toEqual([
      { action: 'Re-evaluate in 3 days', earliestDays: 3, latestDays: 3, reason: 'stated-interval' },
    ]);
  });
});
