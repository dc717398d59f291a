import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import fixtures from './fixtures/answers.json';
import { RADIOGRAPHIC_REPORT_JSON_SCHEMA } from './contract';
import { radiographicReportTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('radiographic-report contract', () => {
  it('describes region findings in its JSON Schema', () => {
    expect(JSON.stringify(RADIOGRAPHIC_REPORT_JSON_SCHEMA)).toContain('"mandibular"');
  });
});
