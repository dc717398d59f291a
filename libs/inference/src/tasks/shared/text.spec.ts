import { isHedged, isTruncated, items, sections, sentences } from './text';

describe('reading the model prose', () => {
  it('splits sentences, bullets and numbered items, without markdown emphasis', () => {
    expect(sentences('**Caries** is seen. The bone is normal.\n- Review in 1 week\n2. Floss daily.')).toEqual([
      'Caries is seen.',
      'The bone is normal.',
      'Review in 1 week',
      'Floss daily.',
    ]);
    expect(sentences('## ## .. --')).toEqual([]);
  });

  it('reads headed sections, inline or with a body, and ignores unknown headings', () => {
    const text =
      '**Diagnosis:** Pulpitis.\nNotes: not a section line\nPlan:\n- Extract 38\n## Other\nignored\nPlan: and more';
    expect(sections(text, { diagnosis: /^diagnosis$/i, plan: /^plan$/i })).toEqual({
      diagnosis: 'Pulpitis.\nNotes: not a section line',
      plan: '- Extract 38\nand more',
    });
    expect(items('- Extract 38;\n- Review in 1 week.')).toEqual(['Extract 38', 'Review in 1 week']);
  });

  it('tells hedged answers from ordinary radiology wording', () => {
    expect(isHedged('There may be early caries.')).toBe(true);
    expect(isHedged('Infection cannot be ruled out.')).toBe(true);
    expect(isHedged('The most likely diagnosis is caries, consistent with the radiolucency.')).toBe(false);
  });

  it('trusts the stop reason, and guesses only without it', () => {
    expect(isTruncated('Caries.', 'max-new-tokens')).toBe(true);
    expect(
      isTruncated('- Routine follow-up in 6 months, and review of the lower right first molar area', 'stop-token'),
    ).toBe(false);
    expect(
      isTruncated('A periapical lesion is seen at the apex of the lower left first molar with widening of the'),
    ).toBe(true);
    expect(isTruncated('Caries')).toBe(false);
  });
});
