import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import { mergeScores } from '../shared/merge-scores';
import fixtures from './fixtures/answers.json';
import { clinicalPhotoAnalysisTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('clinical-photo-analysis scoring', () => {
  it('maps the Yes/No candidates back to the labels', () => {
    const spec = task.scoring!.find((s) => s.field === 'label')!;
    const out = mergeScores(task.parse('photograph photograph'), spec, [
      { candidate: 'Yes', probability: 0.8 },
      { candidate: 'No', probability: 0.2 },
    ]);
    expect(out).toMatchObject({ label: 'cavity', fieldSources: { label: 'scoring' } });
    expect(task.outputSchema!.safeParse(out).success).toBe(true);
  });
});
