import { createHmac } from 'node:crypto';
import { backoffMs, newWebhookSecret, signatureHeader, verifySignature } from './signature';

describe('webhook signatures', () => {
  const at = new Date('2026-11-28T10:00:00.000Z');
  const body = '{"event":"finding.urgent"}';

  it('is the HMAC-SHA256 of "<t>.<body>", computed here independently', () => {
    const header = signatureHeader(body, ['whsec_a'], at);
    const t = 1795860000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 'whsec_a').update(`${t}.${body}`).digest('hex')}`);
  });

  it('verifies with any current secret, rejects a changed body, a wrong secret or an old timestamp', () => {
    const header = signatureHeader(body, ['new', 'old'], at);
    expect(verifySignature(header, body, 'new', at)).toBe(true);
    expect(verifySignature(header, body, 'old', at)).toBe(true);
    expect(verifySignature(header, body + ' ', 'new', at)).toBe(false);
    expect(verifySignature(header, body, 'other', at)).toBe(false);
    expect(verifySignature(header, body, 'new', new Date(at.getTime() + 301_000))).toBe(false);
  });

  it('makes distinct secrets and doubles the backoff up to the cap', () => {
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
  });
});
