import { PATHOLOGY, PATHOLOGY_CLASSES, pathologyMentions, severityFromText } from './pathology';

describe('pathology classes', () => {
  it('has the six classes of the card with a default urgency', () => {
    expect(PATHOLOGY_CLASSES.map((c) => PATHOLOGY[c].displayName)).toEqual([
      'Healthy Teeth',
      'Caries',
      'Impacted Teeth',
      'BDC-BDR',
      'Infection',
      'Fractured Teeth',
    ]);
    expect(PATHOLOGY.infection.defaultUrgency).toBe('urgent');
    expect(PATHOLOGY.healthy.defaultUrgency).toBe('routine');
  });

  it.each([
    ['The panoramic radiograph shows dental caries affecting the lower molars.', ['caries']],
    [
      'Findings consistent with an impacted lower third molar and a periapical abscess.',
      ['impacted-teeth', 'infection'],
    ],
    ['Broken down crown of the upper right first molar (BDC-BDR).', ['bdc-bdr']],
    ['A fractured maxillary central incisor is visible.', ['fractured-teeth']],
    ['Healthy teeth with no signs of caries, infection or fracture.', ['healthy']],
    ['No pathology detected; the dentition appears within normal limits.', ['healthy']],
    ['Healthy periodontium, but a carious lesion on 36.', ['caries']],
    ['Rule out infection. Impacted 38 noted.', ['impacted-teeth']],
    ['Unremarkable image of something.', []],
  ])('%s', (text, classes) => expect(pathologyMentions(text)).toEqual(classes));
});

describe('severityFromText', () => {
  it.each([
    ['A deep cavity on the occlusal surface', 'severe'],
    ['moderate carious lesion', 'moderate'],
    ['early enamel demineralization', 'mild'],
    ['Severity: mild to moderate', 'moderate'],
    ['a cavity', undefined],
  ])('%s -> %s', (text, level) => expect(severityFromText(text)).toBe(level));
});

describe('pathologyMentions in differential lists', () => {
  it('keeps "rule out" candidates when asked to', () => {
    expect(pathologyMentions('Rule out infection or fracture.', { keepNegated: true })).toEqual([
      'infection',
      'fractured-teeth',
    ]);
  });
});
