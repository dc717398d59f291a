import fc from 'fast-check';
import { TASK_NAMES } from '@dg/contracts';
import { SYSTEM_PROMPT } from './task-definition';
import { TASKS, taskDefinition } from './catalogue';

// Words the tiny model and a confused real one emit: clinical vocabulary in random order.
const vocabulary = fc.constantFrom(
  'caries',
  'infection',
  'right',
  'left',
  'mandibular',
  'maxillary',
  'region',
  'no',
  'not',
  'urgent',
  'may',
  'Diagnosis:',
  'Findings:',
  'Follow-up:',
  'in',
  '2',
  'weeks',
  'molars',
  'incisors',
  'complete',
  '\n',
  '-',
  '**',
  '.',
  ',',
);
const salad = fc.oneof(
  fc.string(),
  fc.array(vocabulary, { maxLength: 60 }).map((w) => w.join(' ')),
);

describe('task catalogue', () => {
  it('has the six tasks, each with a contract, its JSON Schema and a new version', () => {
    expect(Object.keys(TASKS).sort()).toEqual([...TASK_NAMES].sort());
    for (const name of TASK_NAMES) {
      const t = taskDefinition(name);
      expect(t.name).toBe(name);
      expect(t.promptVersion).toMatch(new RegExp(`^${name}@\\d+$`));
      expect(t.contractVersion).toBe(`${name}.output@1`);
      expect(t.jsonSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['text', 'parseStatus']) });
      expect(t.needsImage).toBe(name !== 'case-analysis');
    }
  });

  it('keeps the one system prompt of the card', () => {
    expect(SYSTEM_PROMPT).toBe('You are an expert dental clinician and radiologist AI assistant.');
  });

  it('scores only candidates that map to values the contract accepts', () => {
    for (const t of Object.values(TASKS)) {
      for (const spec of t.scoring ?? []) {
        expect(new Set(spec.candidates.map((c) => c.text)).size).toBe(spec.candidates.length);
        for (const c of spec.candidates) {
          const out = { ...t.parse(''), [spec.field]: c.value };
          expect(t.outputSchema!.safeParse(out).success).toBe(true);
        }
      }
    }
  });

  it.each(TASK_NAMES.map((n) => [n]))(
    '%s: any text gives a valid output that keeps the text, never a crash',
    (name) => {
      const t = taskDefinition(name);
      fc.assert(
        fc.property(
          salad,
          fc.constantFrom<'stop-token' | 'max-new-tokens'>('stop-token', 'max-new-tokens'),
          (text, stopReason) => {
            const out = t.parse(text, { stopReason, assessmentDate: '2026-11-28' });
            expect(t.outputSchema!.safeParse(out).error).toBeUndefined();
            expect(out['text']).toBe(text);
            if (out.parseStatus !== 'parsed') expect(out['needsReview']).toBe(true);
            if (out.parseStatus === 'unparsed') {
              expect(Object.keys(out).sort()).toEqual([
                'contract',
                'needsReview',
                'parseStatus',
                'reviewReasons',
                'text',
              ]);
            }
          },
        ),
        { numRuns: 200 },
      );
    },
  );
});
