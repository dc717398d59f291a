import type { ParseContext, TaskDefinition } from '../task-definition';

/** A realistic answer and what its parse must give: status, review reasons and the task fields. */
export interface AnswerFixture {
  name: string;
  text: string;
  ctx?: ParseContext;
  expected: { parseStatus: string; reviewReasons: string[]; fields: Record<string, unknown> };
}

const ENVELOPE = new Set([
  'contract',
  'parseStatus',
  'needsReview',
  'reviewReasons',
  'text',
  'scores',
  'scoringVersions',
  'fieldSources',
]);

/**
 * Runs one task's fixtures: the output validates against the contract, keeps the text verbatim, and
 * has exactly the expected fields (a field the fixture does not expect is an invented one).
 */
export function describeFixtures(task: TaskDefinition, fixtures: AnswerFixture[]): void {
  describe(`${task.name} fixtures`, () => {
    it('has at least ten, including hedged, truncated and malformed ones', () => {
      expect(fixtures.length).toBeGreaterThanOrEqual(10);
      const reasons = fixtures.flatMap((f) => f.expected.reviewReasons);
      expect(reasons).toEqual(expect.arrayContaining(['hedged', 'truncated', 'unparsed']));
    });

    it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
      const out = task.parse(f.text, f.ctx);
      expect(task.outputSchema!.safeParse(out).error).toBeUndefined();
      expect(out.contract).toBe(task.contractVersion);
      expect(out['text']).toBe(f.text);
      const fields = Object.fromEntries(Object.entries(out).filter(([k]) => !ENVELOPE.has(k)));
      expect({ parseStatus: out.parseStatus, reviewReasons: out['reviewReasons'], fields }).toEqual(f.expected);
      expect(out['needsReview']).toBe(f.expected.reviewReasons.length > 0);
    });
  });
}
