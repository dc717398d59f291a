import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import { mergeScores } from '../shared/merge-scores';
import fixtures from './fixtures/answers.json';
import { dentitionAssessmentTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('dentition-assessment scoring', () => {
  it('stores the completeness distribution and keeps the text value', () => {
    const out = mergeScores(task.parse('The dentition is incomplete. Incisors are present.'), task.scoring![0]!, [
      { candidate: 'Yes', probability: 0.4 },
      { candidate: 'No', probability: 0.6 },
    ]);
    expect(out).toMatchObject({
      completeness: 'incomplete',
      scores: {
        completeness: [
          { value: 'incomplete', probability: 0.6 },
          { value: 'complete', probability: 0.4 },
        ],
      },
    });
  });
});
