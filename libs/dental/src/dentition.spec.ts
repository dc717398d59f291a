import { allTeeth } from './notation';
import { summarizeDentition, type ToothState } from './dentition';

const all = (state: ToothState) => new Map(allTeeth('permanent').map((t) => [t, state]));

describe('summarizeDentition', () => {
  it('calls a fully present dentition complete', () => {
    const s = summarizeDentition('permanent', all('present'));
    expect(s.complete).toBe(true);
    expect(s.present).toHaveLength(32);
    expect(s.typesPresent).toHaveLength(8);
  });

  it('calls it incomplete as soon as one tooth is missing, even with unknowns', () => {
    const seen = new Map<number, ToothState>([
      [36, 'missing'],
      [11, 'present'],
    ]);
    const s = summarizeDentition('permanent', seen);
    expect(s.complete).toBe(false);
    expect(s.missing).toEqual([36]);
    expect(s.unknown).toHaveLength(30);
    expect(s.typesPresent).toEqual(['central-incisor']);
  });

  it('does not state completeness when teeth were not assessed', () => {
    const seen = all('present');
    seen.delete(18);
    expect(summarizeDentition('permanent', seen).complete).toBeNull();
  });

  it('can judge completeness without third molars', () => {
    const seen = all('present');
    for (const t of [18, 28, 38, 48]) seen.set(t, 'missing');
    expect(summarizeDentition('permanent', seen).complete).toBe(false);
    const s = summarizeDentition('permanent', seen, { excludeThirdMolars: true });
    expect(s.complete).toBe(true);
    expect(s.present).toHaveLength(28);
  });

  it('handles the primary dentition and plain records', () => {
    const s = summarizeDentition('primary', { 55: 'present', 85: 'missing' });
    expect(s).toMatchObject({ present: [55], missing: [85], complete: false, typesPresent: ['second-molar'] });
    expect(s.unknown).toHaveLength(18);
  });
});
