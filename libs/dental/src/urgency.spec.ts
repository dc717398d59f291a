import { compareUrgency, maxUrgency, URGENCY_LEVELS, URGENCY_RULES, urgencyFromText } from './urgency';

describe('urgency', () => {
  it('orders the levels and their windows the same way', () => {
    expect(compareUrgency('emergency', 'routine')).toBeGreaterThan(0);
    for (let i = 1; i < URGENCY_LEVELS.length; i++) {
      const [prev, cur] = [URGENCY_RULES[URGENCY_LEVELS[i - 1]!], URGENCY_RULES[URGENCY_LEVELS[i]!]];
      expect(cur.seeWithinDays[1]).toBeLessThan(prev.seeWithinDays[1]);
    }
    expect(maxUrgency(['soon', 'urgent', 'routine'])).toBe('urgent');
    expect(maxUrgency([])).toBeUndefined();
  });

  it.each([
    ['Clinical urgency: high. Refer promptly.', 'urgent'],
    ['The urgency is moderate; schedule treatment within 2-4 weeks.', 'soon'],
    ['Low clinical urgency: routine monitoring.', 'routine'],
    ['This is a non-urgent finding.', 'routine'],
    ['Not urgent, can be addressed at the next regular recall.', 'routine'],
    ['Requires immediate attention: possible spreading infection.', 'emergency'],
    ['Urgent referral within 24 hours.', 'urgent'],
    ['Non-urgent now, but immediate care if swelling develops.', 'emergency'],
    ['The radiograph shows caries in the lower left molar.', undefined],
    ['High density restorations are visible.', undefined],
  ])('%s -> %s', (text, level) => expect(urgencyFromText(text)).toBe(level));
});
