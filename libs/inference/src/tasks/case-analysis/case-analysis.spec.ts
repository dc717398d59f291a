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
