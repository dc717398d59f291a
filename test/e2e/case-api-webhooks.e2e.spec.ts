import { createHmac } from 'node:crypto';
import type { AssessmentView, DeliveryView } from '@dg/contracts';
import { waitFor } from '../support/platform';
import {
  client,
  completedResult,
  createTenant,
  startCaseApi,
  type RunningCaseApi,
  type TestTenant,
} from '../support/case-api';
import { startReceiver, type Received } from '../support/receiver';

/** Independent check of the signature header against one secret. */
function signedWith(r: Received, secret: string): boolean {
  const header = String(r.headers['webhook-signature']);
  const t = /t=(\d+)/.exec(header)![1];
  const mac = createHmac('sha256', secret).update(`${t}.${r.body}`).digest('hex');
  return header.split(',').includes(`v1=${mac}`);
}

/**
 * Webhooks against real HTTP receivers on loopback: signed bodies, the outbox with retries and
 * exponential backoff, a receiver that fails and recovers, dead letters, the delivery log, secret
 * rotation, urgent findings sent at once and follow-ups coming due.
 */
describe('case-api: webhooks', () => {
  let api: RunningCaseApi;
  let org: TestTenant;
  let admin: ReturnType<typeof client>;

  const newAssessment = async () => {
    const c = await admin('POST', '/v1/cases', {
      clinicId: org.clinicId,
      patient: { externalId: `P-${Math.random()}` },
    });
    return (await admin('POST', `/v1/cases/${c.body.id}/assessments`, { task: 'case-analysis' })).body.id as string;
  };
  const completed = (id: string) =>
    waitFor(`assessment ${id}`, async () => {
      const r = await admin<AssessmentView>('GET', `/v1/assessments/${id}`);
      return r.body.status === 'completed' ? r : undefined;
    });
  const log = async (hookId: string, query = '') =>
    (await admin<{ items: DeliveryView[] }>('GET', `/v1/webhooks/${hookId}/deliveries${query}`)).body.items;

  beforeAll(async () => {
    api = await startCaseApi({ webhookPollMs: 100, webhookBackoffMs: 100, webhookMaxAttempts: 4 });
    org = await createTenant(api.prisma, 'hooks');
    admin = client(api.url, org.key);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('signs, retries a failing receiver with backoff until it recovers, and dead-letters one that never does', async () => {
    const good = await startReceiver();
    const flaky = await startReceiver((n) => (n <= 2 ? 500 : 200));
    let brokenIsBack = false;
    const broken = await startReceiver(() => (brokenIsBack ? 200 : 503));
    try {
      const subs: Record<string, { id: string; secret: string }> = {};
      for (const [name, r] of Object.entries({ good, flaky, broken })) {
        const res = await admin('POST', '/v1/webhooks', {
          url: r.url,
          events: ['assessment.completed', 'finding.urgent'],
        });
        expect(res.status).toBe(201);
        expect(res.body.secret).toMatch(/^whsec_/);
        subs[name] = res.body;
      }
      // The secret is shown once: never in reads.
      expect(JSON.stringify((await admin('GET', '/v1/webhooks')).body)).not.toContain(subs['good']!.secret);

      const id = await newAssessment();
      await api.publishResult(
        completedResult(org.tenant, id, [{ condition: 'fractured tooth', teeth: [21], urgency: 'urgent' }]),
      );
      await completed(id);

      await waitFor('good receiver', async () => (good.received.length === 2 ? true : undefined));
      const events = good.received.map((r) => r.json.event).sort();
      expect(events).toEqual(['assessment.completed', 'finding.urgent']);
      for (const r of good.received) {
        expect(signedWith(r, subs['good']!.secret)).toBe(true);
        expect(signedWith(r, subs['flaky']!.secret)).toBe(false);
        expect(r.headers['webhook-id']).toBe(r.json.id);
      }
      const urgent = good.received.find((r) => r.json.event === 'finding.urgent')!;
      expect(urgent.json.data).toMatchObject({ assessmentId: id, condition: 'fractured tooth', teeth: [21] });

      await waitFor('flaky receiver recovers', async () => (flaky.received.length === 2 ? true : undefined));
      const flakyLog = await log(subs['flaky']!.id);
      expect(flakyLog.every((d) => d.status === 'delivered')).toBe(true);
      expect(flakyLog.map((d) => d.attempts).reduce((a, b) => a + b)).toBe(4); // 2 failures + 2 successes

      const dead = await waitFor('dead letters', async () => {
        const items = await log(subs['broken']!.id, '?status=dead');
        return items.length === 2 ? items : undefined;
      });
      expect(dead.every((d) => d.attempts === 4 && d.lastStatusCode === 503)).toBe(true);
      expect(broken.requests()).toBe(8);
      expect(await log(subs['broken']!.id, '?status=delivered')).toEqual([]);

      // Each event once per receiver, even after a duplicate result delivery.
      await api.publishResult(
        completedResult(org.tenant, id, [{ condition: 'fractured tooth', teeth: [21], urgency: 'urgent' }]),
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(good.received).toHaveLength(2);

      // The broken receiver is back: its dead deliveries are sent again on request, once.
      brokenIsBack = true;
      const redeliver = (body: unknown) =>
        admin('POST', `/v1/webhooks/${subs['broken']!.id}/deliveries/redeliver`, body);
      expect(await redeliver({ deliveryIds: ['00000000-0000-4000-8000-000000000000'] })).toMatchObject({
        status: 202,
        body: { requeued: 0 },
      });
      expect(await redeliver({})).toMatchObject({ status: 202, body: { requeued: 2 } });
      // Delivered once case-api has the receiver's answer (the receiver records the body before it).
      const after = await waitFor('redelivered', async () => {
        const items = await log(subs['broken']!.id);
        return items.every((d) => d.status === 'delivered') ? items : undefined;
      });
      expect(after.map((d) => d.attempts)).toEqual([1, 1]);
      expect(broken.received).toHaveLength(2);
      expect(broken.received.map((r) => r.json.event).sort()).toEqual(['assessment.completed', 'finding.urgent']);
      expect((await redeliver({})).body).toEqual({ requeued: 0 });
      expect((await admin('DELETE', `/v1/webhooks/${subs['broken']!.id}`)).status).toBe(200);
      expect(await redeliver({})).toMatchObject({ status: 409, body: { code: 'webhook_inactive' } });
    } finally {
      await Promise.all([good.close(), flaky.close(), broken.close()]);
    }
  });

  it('rotates the secret: both secrets sign during the overlap, and the new one is returned once', async () => {
    const r = await startReceiver();
    try {
      const sub = (await admin('POST', '/v1/webhooks', { url: r.url, events: ['assessment.completed'] })).body;
      const rotated = await admin('POST', `/v1/webhooks/${sub.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(sub.secret);
      const id = await newAssessment();
      await api.publishResult(completedResult(org.tenant, id));
      await waitFor('delivery', async () => (r.received.length ? true : undefined));
      expect(signedWith(r.received[0]!, rotated.body.secret)).toBe(true);
      expect(signedWith(r.received[0]!, sub.secret)).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('sends assessment.failed once when the model gives up on an assessment', async () => {
    const r = await startReceiver();
    try {
      await admin('POST', '/v1/webhooks', { url: r.url, events: ['assessment.failed'] });
      const id = await newAssessment();
      const failure = {
        assessmentId: id,
        tenantId: org.tenant,
        error: 'cannot decode image: truncated PNG',
        permanent: true,
        failedAt: new Date().toISOString(),
      };
      await api.publishFailure(failure);
      await api.publishFailure(failure); // the same report delivered twice
      const sent = await waitFor('assessment.failed', async () =>
        r.received.find((x) => x.json.event === 'assessment.failed'),
      );
      expect(sent.json.data).toMatchObject({ assessmentId: id, task: 'case-analysis', permanent: true });
      expect(sent.json.data.error).toMatch(/truncated PNG/);
      expect((await admin<AssessmentView>('GET', `/v1/assessments/${id}`)).body).toMatchObject({ status: 'failed' });
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received.filter((x) => x.json.event === 'assessment.failed')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('sends assessment.reviewed on a review and followup.due once when a follow-up comes due', async () => {
    const r = await startReceiver();
    try {
      await admin('POST', '/v1/webhooks', { url: r.url, events: ['assessment.reviewed', 'followup.due'] });
      const id = await newAssessment();
      await api.publishResult(completedResult(org.tenant, id));
      const read = await completed(id);
      const reviewed = await admin(
        'POST',
        `/v1/assessments/${id}/reviews`,
        { clinicianId: 'dr-h', decision: 'accepted' },
        { 'if-match': read.headers.get('etag')! },
      );
      expect(reviewed.status).toBe(201);
      await waitFor('reviewed', async () =>
        r.received.some((x) => x.json.event === 'assessment.reviewed') ? true : undefined,
      );

      // The routine recall is months away: make it due now, as the clock would.
      const fu = await api.prisma.followUp.findFirstOrThrow({ where: { assessmentId: id } });
      await api.prisma.followUp.update({ where: { id: fu.id }, data: { dueAt: new Date(Date.now() - 1000) } });
      const due = await waitFor('followup.due', async () => r.received.find((x) => x.json.event === 'followup.due'));
      expect(due.json.data).toMatchObject({ followUpId: fu.id, urgency: 'routine' });
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received.filter((x) => x.json.event === 'followup.due')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

// Its own describe, after the first one's app (100 ms poll) has closed: only the instance under test dispatches.
describe('case-api: urgent webhooks', () => {
  it('sends urgent findings at once, without waiting for the poll', async () => {
    // Its poll is an hour: only the immediate dispatch on an urgent finding can deliver in time.
    const slow = await startCaseApi({ webhookPollMs: 3_600_000 });
    const r = await startReceiver();
    try {
      const other = await createTenant(slow.prisma, 'urgent');
      const c = client(slow.url, other.key);
      await c('POST', '/v1/webhooks', { url: r.url, events: ['finding.urgent'] });
      const kase = await c('POST', '/v1/cases', { patient: { externalId: 'U-1' } });
      const a = await c('POST', `/v1/cases/${kase.body.id}/assessments`, { task: 'case-analysis' });
      await slow.publishResult(
        completedResult(other.tenant, a.body.id, [
          { condition: 'periapical abscess', teeth: [36], urgency: 'emergency' },
        ]),
      );
      // Well inside the hour-long poll: only the urgent path can deliver it this soon.
      const got = await waitFor('urgent finding', async () => r.received[0], 60_000);
      expect(got.json).toMatchObject({ event: 'finding.urgent', data: { urgency: 'emergency', teeth: [36] } });
    } finally {
      await r.close();
      await slow.close();
    }
  });
});
