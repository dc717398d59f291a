import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import fixtures from './fixtures/answers.json';
import { localizedFindingsTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('localized-findings task', () => {
  it('has no class field to score', () => expect(task.scoring).toBeUndefined());
});
