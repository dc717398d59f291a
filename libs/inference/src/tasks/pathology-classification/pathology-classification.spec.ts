import { describeFixtures, type AnswerFixture } from '../shared/fixture-harness';
import { mergeScores } from '../shared/merge-scores';
import fixtures from './fixtures/answers.json';
import { PATHOLOGY_CLASSIFICATION_JSON_SCHEMA } from './contract';
import { pathologyClassificationTask as task } from './task';

describeFixtures(task, fixtures as AnswerFixture[]);

describe('pathology-classification task', () => {
  it('exports its contract as JSON Schema', () => {
    expect(PATHOLOGY_CLASSIFICATION_JSON_SCHEMA).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { diagnosis: { enum: expect.arrayContaining(['healthy', 'bdc-bdr']) } },
    });
  });

  it('offers the six classes for scoring the diagnosis', () => {
    const spec = task.scoring!.find((s) => s.field === 'diagnosis')!;
    expect(spec.candidates.map((c) => c.text)).toEqual([
      'Healthy Teeth',
      'Caries',
      'Impacted Teeth',
      'BDC-BDR',
      'Infection',
      'Fractured Teeth',
    ]);
  });

  const spec = task.scoring![0]!;
  const scored = (top: string, p: number) =>
    spec.candidates.map((c) => ({ candidate: c.text, probability: c.text === top ? p : (1 - p) / 5 }));

  it('fills an unparsed diagnosis from a confident distribution, flagged, and keeps the distribution', () => {
    const out = mergeScores(task.parse('ossa ossa region'), spec, scored('Caries', 0.7));
    expect(task.outputSchema!.parse(out)).toBeTruthy();
    expect(out).toMatchObject({
      diagnosis: 'caries',
      parseStatus: 'partial',
      fieldSources: { diagnosis: 'scoring' },
      reviewReasons: ['partial', 'filled-by-scoring'],
      needsReview: true,
    });
    expect((out['scores'] as any).diagnosis[0]).toEqual({ value: 'caries', probability: 0.7 });
    expect((out['scores'] as any).diagnosis).toHaveLength(6);
    expect(out['scoringVersions']).toEqual({ diagnosis: 'pathology-classification.diagnosis@1' });
  });

  it('leaves the field empty when the distribution is flat', () => {
    const out = mergeScores(task.parse('ossa ossa region'), spec, scored('Caries', 0.3));
    expect(out['diagnosis']).toBeUndefined();
    expect(out.parseStatus).toBe('unparsed');
    expect((out['scores'] as any).diagnosis).toHaveLength(6);
  });

  it('never overrides the text, and flags a disagreement', () => {
    const parsed = task.parse('Dental caries on the lower molars. Urgency: moderate.');
    const out = mergeScores(parsed, spec, scored('Infection', 0.9));
    expect(out).toMatchObject({ diagnosis: 'caries', fieldSources: { diagnosis: 'text' } });
    expect(out['reviewReasons']).toEqual(['scoring-disagrees']);
    const agree = mergeScores(parsed, spec, scored('Caries', 0.9));
    expect(agree).toMatchObject({ needsReview: false, reviewReasons: [] });
  });

  it('refuses a distribution over candidates it did not offer', () => {
    expect(() => mergeScores(task.parse(''), spec, [{ candidate: 'Gingivitis', probability: 1 }])).toThrow(
      /not a candidate/,
    );
  });
});
